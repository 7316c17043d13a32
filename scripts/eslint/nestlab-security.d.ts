import type { ESLint, Linter } from 'eslint';

/** Nestlab's security lint rules (see nestlab-security.js). */
export declare const nestlabSecurity: ESLint.Plugin;
/** The security part of eslint.config.js. */
export declare const securityConfigs: Linter.Config[];
