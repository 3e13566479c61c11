// Tensors, networks, datasets and RNG streams free their WebAssembly memory through `[Symbol.dispose]`
// (so `using t = …` works). TypeScript declares Symbol.dispose only in its esnext.disposable library;
// declaring it here lets a project compiled against ES2022 libraries type-check these declarations
// without extra `lib` entries. The declaration merges with the library's where that is present.
export {};

declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
