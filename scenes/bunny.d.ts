// The `bunny` npm package (Stanford bunny, CommonJS, no bundled types).
declare module 'bunny' {
  const bunny: { positions: [number, number, number][]; cells: [number, number, number][] };
  export default bunny;
}
