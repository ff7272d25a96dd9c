import type { Linter } from 'eslint';

/** The boundary rules of eslint.boundaries.js, typed for the test that plants imports. */
export declare const boundaries: Linter.Config[];
