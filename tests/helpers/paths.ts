// Absolute file paths in a text (a generated report): a report is read on other machines, where the paths
// of the machine it was made on mean nothing. A path starts a token (after a space, quote, backtick,
// bracket, comma or '='): POSIX '/x/…', Windows 'C:\…' or 'C:/…', or UNC '\\server\…'.
// Written apart from src/report/provenance.ts's scrubber (portableText) on purpose: the check must not
// share the code it checks.
const PATH = /(?:^|[\s`'"(\[,=])((?:\/[^\s`'"()[\],/]+\/|[A-Za-z]:[\\/]|\\\\)[^\s`'"()[\],]*)/g;

export function absolutePaths(text: string): string[] {
  return [...text.matchAll(PATH)].map((m) => m[1]!);
}
