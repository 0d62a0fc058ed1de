// typescript-eslint's recommended rules, as Hono's own repository lints: checks of what the
// type checker leaves alone (unused expressions, misused promises are tsc's or tests' business).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "generated/", ".wrangler/", "node_modules/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // tsc's noUnusedLocals and noUnusedParameters already refuse these, with `_` for a deliberate one.
      "@typescript-eslint/no-unused-vars": "off",
      // Control characters are what the XML and text cleaners look for: XML 1.0 forbids them.
      "no-control-regex": "off",
      // A `let` a closure reads before its one assignment (a server whose app needs the server's port) stays a `let`.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
);
