/**
 * Replay fixtures: histories of real runs, committed under test/histories, recorded with a fixed test-only
 * payload key so the replay test can decode them. Not a secret: it protects nothing but these fixtures.
 */
export const REPLAY_CODEC_KEYS = 'replay-fixtures:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
export const HISTORIES_DIR = new URL('../histories/', import.meta.url);
