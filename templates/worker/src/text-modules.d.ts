/** wrangler.toml imports *.txt as Text modules: the content bundle arrives as a string. */
declare module "*.txt" {
  const text: string;
  export default text;
}
