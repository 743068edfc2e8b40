/** Configuration: one file in the data folder plus `POLETT_*` environment overrides, validated at start. */
export {
  CONFIG_FILE_NAME,
  loadConfig,
  readConfigFile,
  resolveDataDir,
  updateConfigFile,
  validateConfig,
  type LoadConfigOptions,
} from './load-config.js';
export {
  configSchema,
  ONNX_DTYPES,
  type OnnxDtype,
  type ApiKeySource,
  type ModelConfig,
  type PolettConfig,
  type PolettConfigInput,
  type ProviderConfig,
} from './schema.js';
