import { z } from 'zod';

// zod compiles object parsers with `new Function()` when it may. The page's CSP (script-src
// 'self', no 'unsafe-eval') refuses that, and each probe files a CSP violation report, which
// would hide a real one (the e2e tests treat any violation as an injection). Parse without it.
z.config({ jitless: true });
