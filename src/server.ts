import { setSourceMapsSupport } from 'node:module';
import { registerPackageResolution } from './platform/package-resolution.js';

// Stack traces name the TypeScript source of the app's own files (`dist/**/*.js.map`), not the
// maps of node_modules: `--enable-source-maps` also read and kept every dependency's map with its
// sources (glob, lru-cache, ip-address…: ~5 MB of heap, ~7 MB of resident memory under load) for
// frames that are plain JavaScript anyway. A module's map is read when it is compiled, and a
// static import is compiled before any line here runs: the server comes in by a dynamic import.
setSourceMapsSupport(true, { nodeModules: false, generatedCode: false });
// drizzle-orm's files resolved without Node 24's parse of its package.json per file (~0.45 s).
registerPackageResolution();
await import('./start.js');
