/** Generates the tiny GGUF models the tests run node-llama-cpp on. (Filled in by the GGUF work.) */
export async function ensureTinyGgufModels(_directory: string): Promise<void> {}
