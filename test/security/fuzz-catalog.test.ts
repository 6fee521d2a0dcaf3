import { describeFuzz, FUZZ_GROUPS } from './fuzz-suite.js';

describeFuzz(FUZZ_GROUPS.catalog);
