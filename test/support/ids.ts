import { randomBytes } from 'node:crypto';

/** A fresh bank or user guid in the IdP's form (32 hex digits). */
export const randomGuid = () => randomBytes(16).toString('hex');
