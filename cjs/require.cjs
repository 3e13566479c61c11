// bioprop is an ES module: `require('bioprop')` lands here and says how to load it instead.
throw new Error(
  "bioprop is an ES module and cannot be loaded with require(). Use\n" +
  "  import { load } from 'bioprop';\n" +
  "or, from CommonJS code,\n" +
  "  const { load } = await import('bioprop');",
);
