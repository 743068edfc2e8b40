/** Generates the tiny ONNX encoders the tests run transformers.js on. (Filled in by the ONNX work.) */
export async function ensureTinyOnnxModels(_directory: string): Promise<void> {}
