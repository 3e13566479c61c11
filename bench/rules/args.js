// The command line of the bench/rules diagnostics: val('name', default) reads --name VALUE, and params holds
// the --param key=value pairs (numbers and booleans parsed).
export const argv = process.argv.slice(2);
export const val = (f, d) => { const i = argv.indexOf(`--${f}`); return i >= 0 && argv[i + 1] ? argv[i + 1] : d; };
export const params = {};
argv.forEach((a, i) => {
  if (a !== '--param') return;
  const [k, v] = argv[i + 1].split('=');
  params[k] = v === 'true' ? true : v === 'false' ? false : Number.isFinite(Number(v)) ? Number(v) : v;
});
