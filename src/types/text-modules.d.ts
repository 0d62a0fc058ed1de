/** Text modules (wrangler.toml [[rules]]): the file's contents as a string. */
declare module "*.txt" {
  const text: string;
  export default text;
}
