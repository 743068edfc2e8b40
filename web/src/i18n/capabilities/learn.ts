import type { LocalizedText } from '../messages.ts';

/** The Learn page's texts, keys prefixed `learn.`; merged into `messages`. */
export const learnMessages = {
  'learn.title': { sv: 'Lär dig: token och uppmärksamhet', en: 'Learn: tokens and attention' },
  'learn.intro': {
    sv: 'Här ser du hur en språkmodell läser din egen text: hur den delas i token, vad det kostar och vilka ord modellen tittar på när den väljer nästa ord.',
    en: 'Here you see how a language model reads your own text: how it is split into tokens, what that costs, and which words the model looks at when it chooses the next one.',
  },

  // ---- tokens ----
  'learn.tokens.title': { sv: 'Token', en: 'Tokens' },
  'learn.tokens.swedishText': { sv: 'Svensk text', en: 'Swedish text' },
  'learn.tokens.englishText': { sv: 'Samma text på engelska', en: 'The same text in English' },
  'learn.tokens.exampleSwedish': {
    sv: 'Vi levererar smörgåstårtor till företag i hela Göteborg, även på lördagar.',
    en: 'Vi levererar smörgåstårtor till företag i hela Göteborg, även på lördagar.',
  },
  'learn.tokens.exampleEnglish': {
    sv: 'We deliver sandwich cakes to companies all over Gothenburg, even on Saturdays.',
    en: 'We deliver sandwich cakes to companies all over Gothenburg, even on Saturdays.',
  },
  'learn.tokens.tokenizers': { sv: 'Tokeniserare', en: 'Tokenizers' },
  'learn.tokens.usedBy': { sv: 'används av {models}', en: 'used by {models}' },
  'learn.tokens.submit': { sv: 'Dela upp i token', en: 'Split into tokens' },
  'learn.tokens.working': { sv: 'Delar upp …', en: 'Splitting …' },
  'learn.tokens.chooseOne': { sv: 'Välj minst en tokeniserare.', en: 'Choose at least one tokenizer.' },
  'learn.tokens.comparisonCaption': {
    sv: 'Antal token för samma mening på svenska och engelska',
    en: 'Number of tokens for the same sentence in Swedish and English',
  },
  'learn.tokens.columnTokenizer': { sv: 'Tokeniserare', en: 'Tokenizer' },
  'learn.tokens.columnSwedish': { sv: 'Svenska', en: 'Swedish' },
  'learn.tokens.columnEnglish': { sv: 'Engelska', en: 'English' },
  'learn.tokens.columnRatio': { sv: 'Svenska per engelska', en: 'Swedish per English' },
  'learn.tokens.count': {
    sv: '{count} token, {characters} tecken',
    en: '{count} tokens, {characters} characters',
  },
  'learn.tokens.listLabel': {
    sv: '{tokenizer}: token i {language} text',
    en: '{tokenizer}: tokens of the {language} text',
  },
  'learn.tokens.languageSwedish': { sv: 'den svenska', en: 'Swedish' },
  'learn.tokens.languageEnglish': { sv: 'den engelska', en: 'English' },
  'learn.tokens.tokenTitle': { sv: 'id {id}, byte {bytes}', en: 'id {id}, bytes {bytes}' },
  'learn.tokens.partial': {
    sv: '‹C3› och liknande är byte av ett tecken som tokeniseraren delade mitt itu: å, ä och ö är två byte var i UTF-8. ␣ är ett mellanslag och ↵ en radbrytning.',
    en: '‹C3› and the like are bytes of a character the tokenizer cut in two: å, ä and ö are two bytes each in UTF-8. ␣ is a space and ↵ a line break.',
  },
  'learn.tokens.partOf': { sv: 'del av ”{character}”', en: 'part of "{character}"' },

  // ---- costs ----
  'learn.costs.title': {
    sv: 'Vad texten kostar och hur mycket av fönstret den fyller',
    en: 'What the text costs and how much of the window it fills',
  },
  'learn.costs.intro': {
    sv: 'Den svenska texten skickad en gång som indata till varje modell du har ställt in, räknad med modellens egen tokeniserare där Polett har den.',
    en: 'The Swedish text sent once as input to each model you have set up, counted with the model’s own tokenizer where Polett has it.',
  },
  'learn.costs.none': {
    sv: 'Inga modeller är inställda ännu. Lägg till en på sidan Modeller; med ett pris i polett.json visas kostnaden här.',
    en: 'No models are set up yet. Add one on the Models page; with a price in polett.json the cost shows here.',
  },
  'learn.costs.columnModel': { sv: 'Modell', en: 'Model' },
  'learn.costs.columnTokens': { sv: 'Token', en: 'Tokens' },
  'learn.costs.columnCost': { sv: 'Kostnad', en: 'Cost' },
  'learn.costs.columnPerThousand': { sv: 'Per 1 000 sådana texter', en: 'Per 1,000 such texts' },
  'learn.costs.columnWindow': { sv: 'Del av kontextfönstret', en: 'Share of the context window' },
  'learn.costs.noPrice': { sv: 'inget pris angivet', en: 'no price set' },
  'learn.costs.unknownWindow': { sv: 'okänt fönster', en: 'unknown window' },
  'learn.costs.windowOf': { sv: '{share} av {window} token', en: '{share} of {window} tokens' },
  'learn.costs.estimated': {
    sv: 'uppskattat med o200k, modellens egen tokeniserare saknas',
    en: "estimated with o200k, the model's own tokenizer is missing",
  },

  // ---- explanations ----
  'learn.explain.title': { sv: 'Så fungerar det', en: 'How it works' },
  'learn.explain.tokenTitle': { sv: 'Vad är en token?', en: 'What is a token?' },
  'learn.explain.token': {
    sv: 'En token är den bit text som en språkmodell läser och skriver: ofta ett kort ord, en orddel eller ett skiljetecken. Modellen ser aldrig bokstäver, bara nummer – ett id per token i sitt ordförråd. Ord som var vanliga i träningstexten blir en enda token; ovanliga ord, och mycket svenska, delas i flera.',
    en: 'A token is the piece of text a language model reads and writes: often a short word, part of a word or a punctuation mark. The model never sees letters, only numbers – one id per token in its vocabulary. Words that were common in the training text become a single token; rare words, and much Swedish, are split into several.',
  },
  'learn.explain.embeddingTitle': { sv: 'Vad är en inbäddning?', en: 'What is an embedding?' },
  'learn.explain.embedding': {
    sv: 'Varje token-id slås upp i en tabell och blir en lång lista med tal, en inbäddning (576 tal i SmolLM2-135M). Token som används på liknande sätt får liknande listor. Det är med de talen, inte med orden, som modellen räknar.',
    en: 'Each token id is looked up in a table and becomes a long list of numbers, an embedding (576 numbers in SmolLM2-135M). Tokens used in similar ways get similar lists. The model computes with those numbers, not with the words.',
  },
  'learn.explain.attentionTitle': { sv: 'Vad gör självuppmärksamhet?', en: 'What does self-attention do?' },
  'learn.explain.attention': {
    sv: 'I varje lager räknar varje token ut hur mycket den ska titta på var och en av de tidigare token, och blandar in deras information i just de proportionerna. Så kan ”den” knytas till rätt substantiv några ord bakåt. Varje lager har flera huvuden som letar efter olika saker. Värmekartan nedan visar de vikterna.',
    en: 'In every layer each token works out how much to look at each of the earlier tokens, and mixes in their information in exactly those proportions. That is how "it" gets tied to the right noun a few words back. Each layer has several heads that look for different things. The heatmap below shows those weights.',
  },
  'learn.explain.parallelTitle': {
    sv: 'Varför kunde transformers tränas parallellt?',
    en: 'Why could transformers be trained in parallel?',
  },
  'learn.explain.parallel': {
    sv: 'Äldre återkommande nätverk (RNN) läste en token i taget och bar ett minne vidare: token 100 kunde inte räknas förrän token 99 var klar. I en transformer räknas uppmärksamheten för alla positioner på en gång, som stora matrismultiplikationer. Därför kan träningen fördelas på tusentals grafikkärnor samtidigt – och därför kunde modellerna bli så stora.',
    en: 'Earlier recurrent networks (RNNs) read one token at a time and carried a memory forward: token 100 could not be computed before token 99 was done. In a transformer attention is computed for all positions at once, as large matrix multiplications. So training can be spread over thousands of graphics cores at the same time – and that is why the models could grow so large.',
  },
  'learn.explain.costTitle': {
    sv: 'Vad betyder det för kostnad och kontextfönster?',
    en: 'What does that mean for cost and context windows?',
  },
  'learn.explain.cost': {
    sv: 'Fjärrmodeller tar betalt per token, och kontextfönstret – hur mycket text modellen kan se på en gång – mäts också i token. Uppmärksamheten jämför varje token med alla tidigare, så arbetet växer med kvadraten på textens längd. En text som blir fler token, som svenska ofta blir, kostar mer och fyller fönstret fortare.',
    en: 'Remote models charge per token, and the context window – how much text a model can see at once – is measured in tokens too. Attention compares every token with all earlier ones, so the work grows with the square of the length. A text that takes more tokens, as Swedish often does, costs more and fills the window sooner.',
  },

  // ---- attention ----
  'learn.attention.title': {
    sv: 'Uppmärksamhet i en riktig transformer',
    en: 'Attention in a real transformer',
  },
  'learn.attention.intro': {
    sv: 'Polett kör din text genom en liten lokal modell, lager för lager, och visar hur mycket varje token tittar på de tidigare. Högst {max} token åt gången.',
    en: 'Polett runs your text through a small local model, layer by layer, and shows how much each token looks at the earlier ones. At most {max} tokens at a time.',
  },
  'learn.attention.noModel': {
    sv: 'Det finns ingen lokal GGUF-modell att visa uppmärksamheten i. Hämta den lilla modellen på {parameters} parametrar ({size} MB) med `{command}`, eller klistra in `{reference}` under Modeller.',
    en: 'There is no local GGUF model to show attention in. Pull the small {parameters}-parameter model ({size} MB) with `{command}`, or paste `{reference}` on the Models page.',
  },
  'learn.attention.text': { sv: 'Text', en: 'Text' },
  'learn.attention.example': {
    sv: 'The cat sat on the mat because it was tired.',
    en: 'The cat sat on the mat because it was tired.',
  },
  'learn.attention.exampleHint': {
    sv: 'Den föreslagna modellen kan bara engelska; en svensk text fungerar men blir fler token.',
    en: 'The suggested model only knows English; a Swedish text works but takes more tokens.',
  },
  'learn.attention.model': { sv: 'Modell', en: 'Model' },
  'learn.attention.submit': { sv: 'Visa uppmärksamheten', en: 'Show the attention' },
  'learn.attention.working': { sv: 'Räknar genom modellen …', en: 'Running through the model …' },
  'learn.attention.summary': {
    sv: '{model} ({architecture}): {layers} lager med {heads} huvuden, {count} token, {milliseconds} ms.',
    en: '{model} ({architecture}): {layers} layers of {heads} heads, {count} tokens, {milliseconds} ms.',
  },
  'learn.attention.truncated': {
    sv: 'Texten var längre än {max} token; bara början visas.',
    en: 'The text was longer than {max} tokens; only the beginning is shown.',
  },
  'learn.attention.layer': { sv: 'Lager', en: 'Layer' },
  'learn.attention.head': { sv: 'Huvud', en: 'Head' },
  'learn.attention.heatmapLabel': {
    sv: 'Värmekarta för lager {layer}, huvud {head}: rad = token som tittar, kolumn = token den tittar på; mörkare betyder mer uppmärksamhet.',
    en: 'Heatmap of layer {layer}, head {head}: row = the token looking, column = the token it looks at; darker means more attention.',
  },
  'learn.attention.chooseToken': {
    sv: 'Välj ett ord för att se vilka tidigare ord det tittar på',
    en: 'Choose a word to see which earlier words it looks at',
  },
  'learn.attention.looksAt': { sv: '”{token}” tittar mest på:', en: '"{token}" looks most at:' },
  'learn.attention.lookEntry': {
    sv: '”{token}” (plats {position}): {share}',
    en: '"{token}" (position {position}): {share}',
  },
  'learn.attention.nextTitle': { sv: 'Mest sannolika nästa token', en: 'Most probable next tokens' },
  'learn.attention.nextEntry': { sv: '{token}: {share}', en: '{token}: {share}' },
} as const satisfies Record<string, LocalizedText>;
