export { dataConverterFor, FAILURE_CONVERTER_PATH } from './data-converter.js';
export {
  EncryptionCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  PayloadDecryptionError,
} from './encryption-codec.js';
export { startCodecServer, type CodecServer, type CodecServerOptions } from './server.js';
export { CodecServerEnv, DEFAULT_CODEC_CORS_ORIGINS, generateAuthToken } from './server-config.js';
