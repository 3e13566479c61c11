// The library version, recorded in checkpoints and run records. Kept in step with package.json by a test.
export const VERSION = '0.1.0';
