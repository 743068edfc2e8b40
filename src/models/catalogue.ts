/**
 * The models Polett recommends per task for a Swedish company running on its own CPU server: small,
 * openly downloadable from the Hugging Face hub, in a format Polett runs in-process (GGUF through
 * node-llama-cpp, ONNX through transformers.js), with an honest word on how well each handles Swedish.
 *
 * Every repository and file name below was checked against the hub's public listings; sizes are the
 * download in megabytes (10^6 bytes), rounded, including tokenizer files for ONNX folders. Licences are
 * SPDX ids, or `LicenseRef-…` for vendor licences without one: read those before commercial use.
 */
import type { LocalizedText } from '../errors.js';
import type { OnnxDtype } from './hub/select-files.js';
import type { ModelTask } from './types.js';

/**
 * How well a model handles Swedish:
 * - `native`: Swedish is among the languages it was built and evaluated for;
 * - `multilingual`: trained on many languages including Swedish, works well in practice;
 * - `limited`: understands some Swedish but answers are noticeably weaker than in English;
 * - `none`: English only; listed for another reason (see its description).
 */
export type SwedishSupport = 'native' | 'multilingual' | 'limited' | 'none';

export interface CatalogueEntry {
  /** Stable id for the web app and the CLI (`polett models pull --recommended <id>`). */
  id: string;
  task: ModelTask;
  /** The hub repository, `owner/name`. */
  repository: string;
  format: 'gguf' | 'onnx';
  /** For GGUF: the one file to download. */
  file?: string;
  /** For ONNX: the precision to download and to give transformers.js as `dtype`. */
  onnxDtype?: OnnxDtype;
  approximateSizeMegabytes: number;
  /** Parameter count as the authors state it (`0.5B`, `118M`). */
  parameters: string;
  licence: string;
  /** ISO 639-1 codes of the languages the authors name, Swedish first when it is among them. */
  languages: readonly string[];
  swedish: SwedishSupport;
  description: LocalizedText;
  /** Set when an entry serves one feature rather than general use. */
  purpose?: 'learn-attention';
}

/** The reference to give `pullModel` (or `polett models pull`) for an entry. */
export function pullReferenceFor(entry: CatalogueEntry): string {
  return entry.file === undefined ? entry.repository : `${entry.repository}/${entry.file}`;
}

const MULTILINGUAL_E5_LANGUAGES = ['sv', 'en', 'da', 'nb', 'fi', 'de', 'fr', 'es', 'multilingual'] as const;

export const MODEL_CATALOGUE: readonly CatalogueEntry[] = [
  // ---- chat: instruction-tuned GGUF models that answer on a CPU -------------------------------
  {
    id: 'qwen3-0.6b-q8',
    task: 'chat',
    repository: 'Qwen/Qwen3-0.6B-GGUF',
    format: 'gguf',
    file: 'Qwen3-0.6B-Q8_0.gguf',
    approximateSizeMegabytes: 805,
    parameters: '0.6B',
    licence: 'Apache-2.0',
    languages: ['sv', 'en', 'multilingual'],
    swedish: 'multilingual',
    description: {
      sv: 'Qwens minsta modell med tankeläge, tränad på 119 språk inklusive svenska; snabb på en vanlig processor men kortfattad och ibland felaktig.',
      en: 'Qwen’s smallest model with a thinking mode, trained on 119 languages including Swedish; fast on an ordinary CPU but terse and at times wrong.',
    },
  },
  {
    id: 'qwen2.5-0.5b-instruct-q4',
    task: 'chat',
    repository: 'bartowski/Qwen2.5-0.5B-Instruct-GGUF',
    format: 'gguf',
    file: 'Qwen2.5-0.5B-Instruct-Q4_K_M.gguf',
    approximateSizeMegabytes: 398,
    parameters: '0.5B',
    licence: 'Apache-2.0',
    languages: ['en', 'zh', 'de', 'fr', 'es', 'multilingual'],
    swedish: 'limited',
    description: {
      sv: 'Den minsta användbara chattmodellen, bra på JSON och korta uppgifter; svenskan är begriplig men stel.',
      en: 'The smallest useful chat model, good at JSON and short tasks; its Swedish is understandable but stiff.',
    },
  },
  {
    id: 'qwen2.5-1.5b-instruct-q4',
    task: 'chat',
    repository: 'bartowski/Qwen2.5-1.5B-Instruct-GGUF',
    format: 'gguf',
    file: 'Qwen2.5-1.5B-Instruct-Q4_K_M.gguf',
    approximateSizeMegabytes: 986,
    parameters: '1.5B',
    licence: 'Apache-2.0',
    languages: ['en', 'zh', 'de', 'fr', 'es', 'multilingual'],
    swedish: 'limited',
    description: {
      sv: 'Ett steg upp från 0.5B med tydligt bättre instruktionsföljning; svenska fungerar för enkla svar.',
      en: 'A step up from 0.5B with clearly better instruction following; Swedish works for simple answers.',
    },
  },
  {
    id: 'eurollm-1.7b-instruct-q4',
    task: 'chat',
    repository: 'mradermacher/EuroLLM-1.7B-Instruct-GGUF',
    format: 'gguf',
    file: 'EuroLLM-1.7B-Instruct.Q4_K_M.gguf',
    approximateSizeMegabytes: 1050,
    parameters: '1.7B',
    licence: 'Apache-2.0',
    languages: ['sv', 'en', 'da', 'nb', 'fi', 'de', 'fr', 'es', 'multilingual'],
    swedish: 'native',
    description: {
      sv: 'EU-finansierad modell byggd för alla EU-språk, med svenska bland de officiellt stödda; det bästa svenska valet i den här storleken.',
      en: 'EU-funded model built for every EU language, with Swedish among those officially supported; the best Swedish choice at this size.',
    },
  },
  {
    id: 'llama-3.2-1b-instruct-q4',
    task: 'chat',
    repository: 'bartowski/Llama-3.2-1B-Instruct-GGUF',
    format: 'gguf',
    file: 'Llama-3.2-1B-Instruct-Q4_K_M.gguf',
    approximateSizeMegabytes: 808,
    parameters: '1B',
    licence: 'LicenseRef-Llama-3.2-Community',
    languages: ['en', 'de', 'fr', 'it', 'pt', 'hi', 'es', 'th'],
    swedish: 'limited',
    description: {
      sv: 'Metas lilla instruktionsmodell; svenska hör inte till de officiella språken och svaren blir ofta engelskpräglade.',
      en: 'Meta’s small instruct model; Swedish is not among its official languages and answers often drift towards English.',
    },
  },
  {
    id: 'llama-3.2-3b-instruct-q4',
    task: 'chat',
    repository: 'bartowski/Llama-3.2-3B-Instruct-GGUF',
    format: 'gguf',
    file: 'Llama-3.2-3B-Instruct-Q4_K_M.gguf',
    approximateSizeMegabytes: 2019,
    parameters: '3B',
    licence: 'LicenseRef-Llama-3.2-Community',
    languages: ['en', 'de', 'fr', 'it', 'pt', 'hi', 'es', 'th'],
    swedish: 'limited',
    description: {
      sv: 'Större Llama 3.2 med bättre resonemang och längre sammanhang; svenskan är godtagbar men inte officiellt stödd.',
      en: 'The larger Llama 3.2 with better reasoning and long context; its Swedish is acceptable but not officially supported.',
    },
  },
  {
    id: 'gemma-3-1b-it-q4',
    task: 'chat',
    repository: 'ggml-org/gemma-3-1b-it-GGUF',
    format: 'gguf',
    file: 'gemma-3-1b-it-Q4_K_M.gguf',
    approximateSizeMegabytes: 806,
    parameters: '1B',
    licence: 'LicenseRef-Gemma-Terms-of-Use',
    languages: ['en'],
    swedish: 'limited',
    description: {
      sv: 'Googles minsta Gemma 3, som enligt Google är byggd för engelska; snabb, men välj 4B-versionen för svenska kunder.',
      en: 'Google’s smallest Gemma 3, built for English according to Google; fast, but choose the 4B version for Swedish customers.',
    },
  },
  {
    id: 'gemma-3-4b-it-q4',
    task: 'chat',
    repository: 'ggml-org/gemma-3-4b-it-GGUF',
    format: 'gguf',
    file: 'gemma-3-4b-it-Q4_K_M.gguf',
    approximateSizeMegabytes: 2490,
    parameters: '4B',
    licence: 'LicenseRef-Gemma-Terms-of-Use',
    languages: ['sv', 'en', 'multilingual'],
    swedish: 'multilingual',
    description: {
      sv: 'Gemma 3 med stöd för över 140 språk och god svenska; kräver mer minne och tid per svar än de mindre modellerna.',
      en: 'Gemma 3 with support for over 140 languages and good Swedish; needs more memory and time per answer than the smaller models.',
    },
  },
  {
    id: 'gpt-sw3-126m-instruct-f16',
    task: 'chat',
    repository: 'AI-Sweden-Models/gpt-sw3-126m-instruct-gguf',
    format: 'gguf',
    file: 'GPT-Sw3-126M-Instruct-f16-GGUF.gguf',
    approximateSizeMegabytes: 372,
    parameters: '126M',
    licence: 'LicenseRef-AI-Sweden-LLM-License',
    languages: ['sv', 'nb', 'da', 'is', 'en'],
    swedish: 'native',
    description: {
      sv: 'AI Swedens nordiska modell, tränad mest på svenska och grannspråk; liten och mest för experiment, och licensen (modifierad RAIL) bör läsas före kommersiell användning.',
      en: 'AI Sweden’s Nordic model, trained mostly on Swedish and its neighbours; small and mainly for experiments, and its licence (a modified RAIL) should be read before commercial use.',
    },
  },
  {
    id: 'gpt-sw3-356m-instruct-f16',
    task: 'chat',
    repository: 'AI-Sweden-Models/gpt-sw3-356m-instruct-gguf',
    format: 'gguf',
    file: 'GPT-Sw3-356M-Instruct-f16-GGUF.gguf',
    approximateSizeMegabytes: 873,
    parameters: '356M',
    licence: 'LicenseRef-AI-Sweden-LLM-License',
    languages: ['sv', 'nb', 'da', 'is', 'en'],
    swedish: 'native',
    description: {
      sv: 'Större GPT-SW3 med naturligare svenska än 126M; samma licensvillkor från AI Sweden.',
      en: 'A larger GPT-SW3 with more natural Swedish than 126M; the same licence terms from AI Sweden.',
    },
  },
  {
    id: 'smollm2-135m-instruct-q4',
    task: 'chat',
    repository: 'bartowski/SmolLM2-135M-Instruct-GGUF',
    format: 'gguf',
    file: 'SmolLM2-135M-Instruct-Q4_K_M.gguf',
    approximateSizeMegabytes: 105,
    parameters: '135M',
    licence: 'Apache-2.0',
    languages: ['en'],
    swedish: 'none',
    description: {
      sv: 'Pytteliten engelsk modell som laddas på ett ögonblick; till för att visa hur en språkmodell arbetar, inte för kundsvar.',
      en: 'A tiny English model that loads in a moment; meant for showing how a language model works, not for answering customers.',
    },
  },
  {
    id: 'smollm2-135m-instruct-q8',
    task: 'chat',
    repository: 'bartowski/SmolLM2-135M-Instruct-GGUF',
    format: 'gguf',
    file: 'SmolLM2-135M-Instruct-Q8_0.gguf',
    approximateSizeMegabytes: 145,
    parameters: '135M',
    licence: 'Apache-2.0',
    languages: ['en'],
    swedish: 'none',
    purpose: 'learn-attention',
    description: {
      sv: 'SmolLM2-135M i Q8_0, som Lär-sidans egen transformer läser: den visar uppmärksamheten i varje lager och huvud.',
      en: "SmolLM2-135M in Q8_0, which the Learn page's own transformer reads: it shows the attention of every layer and head.",
    },
  },
  {
    id: 'smollm2-135m-instruct-onnx',
    task: 'chat',
    repository: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    format: 'onnx',
    onnxDtype: 'fp32',
    approximateSizeMegabytes: 660,
    parameters: '135M',
    licence: 'Apache-2.0',
    languages: ['en'],
    swedish: 'none',
    purpose: 'learn-attention',
    description: {
      sv: 'Samma lilla SmolLM2 som ONNX för transformers.js, så att Lär-sidan kan köra en riktig transformer och visa uppmärksamhet per lager och huvud.',
      en: 'The same small SmolLM2 as ONNX for transformers.js, so that the Learn page can run a real transformer and show attention per layer and head.',
    },
  },

  // ---- embed: multilingual sentence encoders for the knowledge base ---------------------------
  {
    id: 'multilingual-e5-small-q8',
    task: 'embed',
    repository: 'Xenova/multilingual-e5-small',
    format: 'onnx',
    onnxDtype: 'q8',
    approximateSizeMegabytes: 135,
    parameters: '118M',
    licence: 'MIT',
    languages: MULTILINGUAL_E5_LANGUAGES,
    swedish: 'multilingual',
    description: {
      sv: 'Standardvalet för sökning: litet, snabbt och bra på svenska; texter ska börja med "query: " eller "passage: ".',
      en: 'The default for search: small, fast and good at Swedish; texts must start with "query: " or "passage: ".',
    },
  },
  {
    id: 'multilingual-e5-small-fp32',
    task: 'embed',
    repository: 'intfloat/multilingual-e5-small',
    format: 'onnx',
    onnxDtype: 'fp32',
    approximateSizeMegabytes: 487,
    parameters: '118M',
    licence: 'MIT',
    languages: MULTILINGUAL_E5_LANGUAGES,
    swedish: 'multilingual',
    description: {
      sv: 'Originalet från författarna i full precision; något bättre vektorer än 8-bitarsversionen till fyra gånger storleken.',
      en: 'The authors’ original in full precision; slightly better vectors than the 8-bit version at four times the size.',
    },
  },
  {
    id: 'multilingual-e5-base-q8',
    task: 'embed',
    repository: 'Xenova/multilingual-e5-base',
    format: 'onnx',
    onnxDtype: 'q8',
    approximateSizeMegabytes: 296,
    parameters: '278M',
    licence: 'MIT',
    languages: MULTILINGUAL_E5_LANGUAGES,
    swedish: 'multilingual',
    description: {
      sv: 'Större e5 med märkbart bättre träffar på svenska frågor, till dubbla beräkningstiden.',
      en: 'A larger e5 with noticeably better matches for Swedish queries, at twice the compute time.',
    },
  },
  {
    id: 'paraphrase-multilingual-minilm-l12-q8',
    task: 'embed',
    repository: 'Xenova/paraphrase-multilingual-MiniLM-L12-v2',
    format: 'onnx',
    onnxDtype: 'q8',
    approximateSizeMegabytes: 135,
    parameters: '118M',
    licence: 'Apache-2.0',
    languages: ['sv', 'en', 'da', 'nb', 'fi', 'de', 'fr', 'es', 'multilingual'],
    swedish: 'multilingual',
    description: {
      sv: 'Sentence-transformers klassiker för likhet mellan meningar på över 50 språk; bra för gruppering av kundomdömen.',
      en: 'The sentence-transformers classic for sentence similarity in over 50 languages; good for clustering customer reviews.',
    },
  },
  {
    id: 'bge-m3-q8',
    task: 'embed',
    repository: 'Xenova/bge-m3',
    format: 'onnx',
    onnxDtype: 'q8',
    approximateSizeMegabytes: 587,
    parameters: '568M',
    licence: 'MIT',
    languages: ['sv', 'en', 'multilingual'],
    swedish: 'multilingual',
    description: {
      sv: 'Stark flerspråkig modell för långa dokument (upp till 8 192 token); bäst träffsäkerhet här, men långsammast på en processor.',
      en: 'A strong multilingual model for long documents (up to 8,192 tokens); the best accuracy here, but the slowest on a CPU.',
    },
  },

  // ---- rerank: cross-encoders that reorder search hits ----------------------------------------
  {
    id: 'bge-reranker-v2-m3-q4',
    task: 'rerank',
    repository: 'gpustack/bge-reranker-v2-m3-GGUF',
    format: 'gguf',
    file: 'bge-reranker-v2-m3-Q4_K_M.gguf',
    approximateSizeMegabytes: 438,
    parameters: '568M',
    licence: 'Apache-2.0',
    languages: ['sv', 'en', 'multilingual'],
    swedish: 'multilingual',
    description: {
      sv: 'Flerspråkig omrankare byggd på bge-m3, som GGUF för node-llama-cpp; höjer träffsäkerheten märkbart för svenska frågor.',
      en: 'A multilingual reranker built on bge-m3, as GGUF for node-llama-cpp; noticeably improves results for Swedish queries.',
    },
  },
  {
    id: 'bge-reranker-v2-m3-q8',
    task: 'rerank',
    repository: 'gpustack/bge-reranker-v2-m3-GGUF',
    format: 'gguf',
    file: 'bge-reranker-v2-m3-Q8_0.gguf',
    approximateSizeMegabytes: 636,
    parameters: '568M',
    licence: 'Apache-2.0',
    languages: ['sv', 'en', 'multilingual'],
    swedish: 'multilingual',
    description: {
      sv: 'Samma omrankare i 8 bitar, närmare originalets poäng; en omrankare tål kvantisering sämre än en chattmodell.',
      en: 'The same reranker in 8 bits, closer to the original scores; rerankers tolerate quantisation less well than chat models.',
    },
  },

  // ---- classify: zero-shot classification by natural-language inference ----------------------
  {
    id: 'mdeberta-v3-base-xnli-q8',
    task: 'classify',
    repository: 'Xenova/mDeBERTa-v3-base-xnli-multilingual-nli-2mil7',
    format: 'onnx',
    onnxDtype: 'q8',
    approximateSizeMegabytes: 355,
    parameters: '279M',
    licence: 'MIT',
    languages: ['sv', 'en', 'de', 'fr', 'es', 'multilingual'],
    swedish: 'multilingual',
    description: {
      sv: 'Nollskottsklassning på 100 språk, tränad på NLI-data som även omfattar svenska; sorterar texter i egna kategorier utan exempel.',
      en: 'Zero-shot classification in 100 languages, trained on NLI data that includes Swedish; sorts texts into your own categories without examples.',
    },
  },
  {
    id: 'mdeberta-v3-base-xnli-fp32',
    task: 'classify',
    repository: 'MoritzLaurer/mDeBERTa-v3-base-xnli-multilingual-nli-2mil7',
    format: 'onnx',
    onnxDtype: 'fp32',
    approximateSizeMegabytes: 1136,
    parameters: '279M',
    licence: 'MIT',
    languages: ['sv', 'en', 'de', 'fr', 'es', 'multilingual'],
    swedish: 'multilingual',
    description: {
      sv: 'Författarens originalrepo med samma modell i full precision; något säkrare poäng, tre gånger större.',
      en: 'The author’s original repository with the same model in full precision; slightly steadier scores, three times larger.',
    },
  },
];

/** The recommended models for a task, in the order the web app shows them. */
export function catalogueFor(task: ModelTask): CatalogueEntry[] {
  return MODEL_CATALOGUE.filter((entry) => entry.task === task);
}

/** One entry by its id, or undefined. */
export function catalogueEntry(id: string): CatalogueEntry | undefined {
  return MODEL_CATALOGUE.find((entry) => entry.id === id);
}
