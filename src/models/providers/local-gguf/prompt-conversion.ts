/**
 * Turns the AI SDK's v3 prompt into node-llama-cpp's chat history, so that the model's own chat
 * template (resolved by node-llama-cpp from the GGUF file) renders it.
 */
import type {
  JSONSchema7Definition,
  LanguageModelV3FunctionTool,
  LanguageModelV3Prompt,
  LanguageModelV3ToolResultOutput,
  SharedV3Warning,
} from '@ai-sdk/provider';
import type {
  ChatHistoryItem,
  ChatModelFunctionCall,
  ChatModelFunctions,
  ChatModelResponse,
  GbnfJsonSchema,
} from 'node-llama-cpp';

export interface ConvertedPrompt {
  history: ChatHistoryItem[];
  warnings: SharedV3Warning[];
}

/**
 * node-llama-cpp keeps a tool's result inside the model response that called it, so each
 * `tool-result` is attached to its `tool-call` by id, and an assistant message that follows tool
 * results continues the same model response (as the chat templates render it).
 */
export function convertPromptToChatHistory(prompt: LanguageModelV3Prompt): ConvertedPrompt {
  const history: ChatHistoryItem[] = [];
  const warnings: SharedV3Warning[] = [];
  const callsById = new Map<string, ChatModelFunctionCall>();
  let skippedFiles = false;

  const currentModelResponse = (): ChatModelResponse => {
    const last = history.at(-1);
    if (last?.type === 'model') return last;
    const response: ChatModelResponse = { type: 'model', response: [] };
    history.push(response);
    return response;
  };

  const attachResult = (toolCallId: string, toolName: string, output: LanguageModelV3ToolResultOutput) => {
    const call = callsById.get(toolCallId);
    if (call !== undefined) {
      call.result = toolResultValue(output);
      return;
    }
    // A result whose call is not in the prompt (trimmed history): keep it as a complete call.
    const orphan: ChatModelFunctionCall = {
      type: 'functionCall',
      name: toolName,
      params: {},
      result: toolResultValue(output),
    };
    currentModelResponse().response.push(orphan);
  };

  for (const message of prompt) {
    switch (message.role) {
      case 'system':
        history.push({ type: 'system', text: message.content });
        break;
      case 'user': {
        const texts: string[] = [];
        for (const part of message.content) {
          if (part.type === 'text') texts.push(part.text);
          else skippedFiles = true;
        }
        history.push({ type: 'user', text: texts.join('\n') });
        break;
      }
      case 'assistant': {
        const response = currentModelResponse();
        let startsNewChunk = true;
        for (const part of message.content) {
          if (part.type === 'text') {
            if (part.text.length > 0) response.response.push(part.text);
            startsNewChunk = true;
          } else if (part.type === 'reasoning') {
            response.response.push({ type: 'segment', segmentType: 'thought', text: part.text, ended: true });
          } else if (part.type === 'tool-call') {
            const call: ChatModelFunctionCall = {
              type: 'functionCall',
              name: part.toolName,
              params: part.input,
              result: undefined,
              // Parallel calls made together form one chunk in templates that support them.
              startsNewChunk,
            };
            startsNewChunk = false;
            callsById.set(part.toolCallId, call);
            response.response.push(call);
          } else if (part.type === 'tool-result') {
            attachResult(part.toolCallId, part.toolName, part.output);
          } else {
            skippedFiles = true;
          }
        }
        break;
      }
      case 'tool':
        for (const part of message.content) {
          if (part.type === 'tool-result') attachResult(part.toolCallId, part.toolName, part.output);
        }
        break;
    }
  }

  if (skippedFiles) {
    warnings.push({
      type: 'unsupported',
      feature: 'file parts',
      details: 'Local GGUF models read text only; files were left out.',
    });
  }
  return { history, warnings };
}

function toolResultValue(output: LanguageModelV3ToolResultOutput): unknown {
  switch (output.type) {
    case 'text':
      return output.value;
    case 'json':
      return output.value;
    case 'error-text':
      return { error: output.value };
    case 'error-json':
      return { error: output.value };
    case 'execution-denied':
      return { error: output.reason ?? 'The tool call was denied.' };
    case 'content':
      return output.value.map((item) => (item.type === 'text' ? item.text : `[${item.type}]`)).join('\n');
  }
}

/** Function tools as node-llama-cpp functions (their parameters become a grammar when called). */
export function convertToolsToFunctions(tools: readonly LanguageModelV3FunctionTool[]): ChatModelFunctions {
  const functions: Record<string, ChatModelFunctions[string]> = {};
  for (const tool of tools) {
    functions[tool.name] = {
      ...(tool.description === undefined ? {} : { description: tool.description }),
      params: toGbnfJsonSchema(tool.inputSchema),
    };
  }
  return functions;
}

const KEPT_KEYWORDS = new Set([
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'format',
  'description',
  'minProperties',
  'maxProperties',
]);
const GRAMMAR_STRING_FORMATS = new Set(['date-time', 'time', 'date']);

/** Any JSON value: node-llama-cpp reads a schema without a type as `null`, so "anything" is spelled out. */
const ANY_JSON_SCHEMA = {
  oneOf: [
    { type: ['string', 'number', 'boolean', 'null'] },
    { type: 'object', additionalProperties: true },
    { type: 'array' },
  ],
};

/**
 * The JSON Schema subset node-llama-cpp turns into a grammar. `anyOf` (what zod writes for
 * optional and union types) becomes `oneOf`, which the grammar treats the same; `definitions`
 * become `$defs`; a type list with `object` or `array` is split into alternatives; keywords the
 * grammar cannot enforce (`pattern`, `minimum`, titles...) are dropped instead of failing the
 * request. Note that the grammar writes every listed property, optional or not: still valid JSON
 * for the schema.
 */
export function toGbnfJsonSchema(schema: JSONSchema7Definition): GbnfJsonSchema {
  const converted = convertSchema(schema) as Record<string, unknown>;
  if (typeof schema === 'object') {
    const definitions = {
      ...(schema.definitions ?? {}),
      ...((schema as { $defs?: Record<string, JSONSchema7Definition> }).$defs ?? {}),
    };
    if (Object.keys(definitions).length > 0) {
      converted.$defs = Object.fromEntries(
        Object.entries(definitions).map(([name, definition]) => [name, convertSchema(definition)]),
      );
    }
  }
  return converted as GbnfJsonSchema;
}

function convertSchema(schema: JSONSchema7Definition): unknown {
  if (schema === true) return ANY_JSON_SCHEMA;
  if (schema === false) return { enum: [] };
  if (typeof schema.$ref === 'string') {
    return { $ref: schema.$ref.replace(/^#\/definitions\//, '#/$defs/') };
  }
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined) return { oneOf: alternatives.map(convertSchema) };
  if (schema.allOf !== undefined && schema.allOf.length === 1 && schema.allOf[0] !== undefined) {
    return convertSchema(schema.allOf[0]);
  }
  if (Array.isArray(schema.type) && schema.type.some((type) => type === 'object' || type === 'array')) {
    return { oneOf: schema.type.map((type) => convertSchema({ ...schema, type })) };
  }
  const converted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!KEPT_KEYWORDS.has(key) || value === undefined) continue;
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      converted.properties = Object.fromEntries(
        Object.entries(value as Record<string, JSONSchema7Definition>).map(([name, property]) => [
          name,
          convertSchema(property),
        ]),
      );
    } else if (key === 'items') {
      if (Array.isArray(value)) converted.prefixItems = (value as JSONSchema7Definition[]).map(convertSchema);
      else converted.items = convertSchema(value as JSONSchema7Definition);
    } else if (key === 'prefixItems' && Array.isArray(value)) {
      converted.prefixItems = (value as JSONSchema7Definition[]).map(convertSchema);
    } else if (key === 'additionalProperties' && typeof value === 'object' && value !== null) {
      converted.additionalProperties = convertSchema(value as JSONSchema7Definition);
    } else if (key === 'format') {
      if (typeof value === 'string' && GRAMMAR_STRING_FORMATS.has(value)) converted.format = value;
    } else {
      converted[key] = value;
    }
  }
  // An enum or const fixes the value by itself; node-llama-cpp would otherwise let `type` win and,
  // for `integer`, allow any number (exponents included) instead of the listed ones.
  if (converted.enum !== undefined || converted.const !== undefined) delete converted.type;
  if (converted.type === undefined && converted.properties !== undefined) converted.type = 'object';
  if (converted.type === undefined && converted.items !== undefined) converted.type = 'array';
  const constrains = ['type', 'enum', 'const'].some((key) => converted[key] !== undefined);
  return constrains
    ? converted
    : {
        ...ANY_JSON_SCHEMA,
        ...(converted.description === undefined ? {} : { description: converted.description }),
      };
}
