import { assistantMessages } from './capabilities/assistant.ts';
import { contentMessages } from './capabilities/content.ts';
import { insightsMessages } from './capabilities/insights.ts';
import { knowledgeMessages } from './capabilities/knowledge.ts';
import { learnMessages } from './capabilities/learn.ts';

/**
 * Every text the web app shows, in Swedish and English side by side, so that a missing
 * translation is a type error rather than an English word in a Swedish page.
 * `{name}` marks a value filled in by `translate`.
 */
export type Locale = 'sv' | 'en';

export interface LocalizedText {
  sv: string;
  en: string;
}

/** Texts shared by the whole app; each capability keeps its own in `capabilities/<name>.ts`. */
const coreMessages = {
  'app.name': { sv: 'Polett', en: 'Polett' },
  'app.skipToContent': { sv: 'Hoppa till innehållet', en: 'Skip to content' },
  'app.loading': { sv: 'Laddar …', en: 'Loading …' },
  'app.unreachable': {
    sv: 'Polett svarar inte. Kontrollera att servern kör och ladda om sidan.',
    en: 'Polett does not answer. Check that the server is running and reload the page.',
  },
  'app.retry': { sv: 'Försök igen', en: 'Try again' },
  'app.mainNavigation': { sv: 'Huvudmeny', en: 'Main navigation' },

  'language.label': { sv: 'Språk', en: 'Language' },
  'language.sv': { sv: 'Svenska', en: 'Swedish' },
  'language.en': { sv: 'Engelska', en: 'English' },

  'nav.assistant': { sv: 'Assistent', en: 'Assistant' },
  'nav.inbox': { sv: 'Inkorg', en: 'Inbox' },
  'nav.knowledge': { sv: 'Kunskap', en: 'Knowledge' },
  'nav.content': { sv: 'Innehåll', en: 'Content' },
  'nav.insights': { sv: 'Insikter', en: 'Insights' },
  'nav.learn': { sv: 'Lär dig', en: 'Learn' },
  'nav.models': { sv: 'Modeller', en: 'Models' },
  'nav.settings': { sv: 'Inställningar', en: 'Settings' },

  'notBuilt.title': { sv: 'Den här delen är inte byggd ännu', en: 'This part is not built yet' },
  'notBuilt.assistant': {
    sv: 'Här kommer assistenten att svara era kunder utifrån era egna dokument, med källhänvisningar, och lämna över till en person när den är osäker.',
    en: 'Here the assistant will answer your customers from your own documents, with citations, and hand over to a person when it is unsure.',
  },
  'notBuilt.inbox': {
    sv: 'Här kommer personalen att se pågående kundsamtal och kunna ta över dem från assistenten.',
    en: 'Here your staff will see ongoing customer conversations and be able to take them over from the assistant.',
  },
  'notBuilt.knowledge': {
    sv: 'Här kommer ni att lägga in företagets dokument och webbsidor och söka i dem.',
    en: "Here you will add the company's documents and web pages and search them.",
  },
  'notBuilt.content': {
    sv: 'Här kommer ni att skriva inlägg, annonser och nyhetsbrev i varumärkets egen röst.',
    en: "Here you will write posts, ads and newsletters in the brand's own voice.",
  },
  'notBuilt.insights': {
    sv: 'Här kommer ni att se vad kunderna tycker och pratar om, utifrån omdömen och synpunkter.',
    en: 'Here you will see what customers feel and talk about, from reviews and feedback.',
  },
  'notBuilt.learn': {
    sv: 'Här kommer ni att se hur en språkmodell delar upp text i tokens och var den lägger sin uppmärksamhet.',
    en: 'Here you will see how a language model splits text into tokens and where it puts its attention.',
  },

  'setup.title': { sv: 'Välkommen till Polett', en: 'Welcome to Polett' },
  'setup.intro': {
    sv: 'Skapa ägarens konto och ange företagets namn. Det tar en minut.',
    en: "Create the owner's account and enter the company's name. It takes a minute.",
  },
  'setup.ownerName': { sv: 'Ditt namn', en: 'Your name' },
  'setup.email': { sv: 'E-postadress', en: 'E-mail address' },
  'setup.password': { sv: 'Lösenord', en: 'Password' },
  'setup.passwordHint': {
    sv: 'Minst {count} tecken; en mening fungerar bra.',
    en: 'At least {count} characters; a sentence works well.',
  },
  'setup.companyName': { sv: 'Företagets namn', en: "The company's name" },
  'setup.submit': { sv: 'Skapa konto', en: 'Create account' },
  'setup.submitting': { sv: 'Skapar …', en: 'Creating …' },
  'setup.stepAccount': { sv: 'Steg 1 av 2: konto', en: 'Step 1 of 2: account' },
  'setup.stepModels': { sv: 'Steg 2 av 2: modeller', en: 'Step 2 of 2: models' },
  'setup.modelsTitle': { sv: 'Koppla in en språkmodell', en: 'Connect a language model' },
  'setup.modelsIntro': {
    sv: 'Polett fungerar utan modell för sökning, utdrag och tokenisering. För att skriva text och förstå fritt språk behövs en modell, lokal eller hos en leverantör.',
    en: 'Polett works without a model for search, extracts and tokenisation. To write text and understand free language it needs a model, local or at a provider.',
  },
  'setup.done': { sv: 'Klart, gå till Polett', en: 'Done, go to Polett' },
  'setup.skip': { sv: 'Hoppa över, gör det senare', en: 'Skip, do it later' },

  'tasks.title': { sv: 'Uppgifter och modeller', en: 'Tasks and models' },
  'tasks.task': { sv: 'Uppgift', en: 'Task' },
  'tasks.status': { sv: 'Status', en: 'Status' },
  'tasks.models': { sv: 'Modeller i tur och ordning', en: 'Models in order' },
  'tasks.ready': { sv: 'Har en modell', en: 'Has a model' },
  'tasks.missing': { sv: 'Saknar modell', en: 'No model' },
  'tasks.chat': { sv: 'Chatt och textgenerering', en: 'Chat and text generation' },
  'tasks.embed': { sv: 'Inbäddningar (vektorsökning)', en: 'Embeddings (vector search)' },
  'tasks.rerank': { sv: 'Omrankning av sökträffar', en: 'Reranking of search results' },
  'tasks.classify': { sv: 'Klassificering', en: 'Classification' },
  'tasks.none': { sv: '–', en: '–' },

  'provider.title': { sv: 'Lägg till en fjärrleverantör', en: 'Add a remote provider' },
  'provider.intro': {
    sv: 'En OpenAI-kompatibel tjänst: OpenAI, Mistral, Groq, vLLM, Ollama, LM Studio med flera.',
    en: 'An OpenAI-compatible service: OpenAI, Mistral, Groq, vLLM, Ollama, LM Studio and more.',
  },
  'provider.name': { sv: 'Namn på leverantören', en: "The provider's name" },
  'provider.baseUrl': { sv: 'Bas-URL', en: 'Base URL' },
  'provider.apiKey': { sv: 'API-nyckel', en: 'API key' },
  'provider.apiKeyHint': {
    sv: 'Lämna tomt för en lokal server utan nyckel.',
    en: 'Leave empty for a local server without a key.',
  },
  'provider.model': { sv: 'Modellens namn hos leverantören', en: "The model's name at the provider" },
  'provider.save': { sv: 'Spara leverantören', en: 'Save the provider' },
  'provider.saved': { sv: 'Leverantören är sparad.', en: 'The provider is saved.' },
  'provider.test': { sv: 'Testa', en: 'Test' },
  'provider.testing': { sv: 'Testar …', en: 'Testing …' },
  'provider.testOk': {
    sv: 'Svar på {milliseconds} ms: ”{text}”',
    en: 'Answer in {milliseconds} ms: “{text}”',
  },
  'provider.noRoute': {
    sv: 'Leverantörer kan ännu inte sparas från webben. Lägg in dem i polett.json i datamappen och starta om Polett, så här:',
    en: 'Providers cannot be saved from the web yet. Add them to polett.json in the data folder and restart Polett, like this:',
  },
  'provider.secretHint': {
    sv: 'Spara nyckeln krypterad med: printf %s "$NYCKEL" | npx polett secrets set {name}',
    en: 'Store the key encrypted with: printf %s "$KEY" | npx polett secrets set {name}',
  },
  'provider.testChat': { sv: 'Testa chattmodellen', en: 'Test the chat model' },

  'signIn.title': { sv: 'Logga in', en: 'Sign in' },
  'signIn.email': { sv: 'E-postadress', en: 'E-mail address' },
  'signIn.password': { sv: 'Lösenord', en: 'Password' },
  'signIn.submit': { sv: 'Logga in', en: 'Sign in' },
  'signIn.submitting': { sv: 'Loggar in …', en: 'Signing in …' },
  signOut: { sv: 'Logga ut', en: 'Sign out' },
  signedInAs: { sv: 'Inloggad som {name}', en: 'Signed in as {name}' },
  'workspace.label': { sv: 'Arbetsyta', en: 'Workspace' },

  'models.title': { sv: 'Modeller', en: 'Models' },
  'models.intro': {
    sv: 'Vilken modell som sköter vilken uppgift, och vad användningen har kostat.',
    en: 'Which model serves which task, and what the use has cost.',
  },
  'models.list': { sv: 'Konfigurerade modeller', en: 'Configured models' },
  'models.alias': { sv: 'Namn', en: 'Name' },
  'models.provider': { sv: 'Leverantör', en: 'Provider' },
  'models.where': { sv: 'Var', en: 'Where' },
  'models.remote': { sv: 'Fjärr', en: 'Remote' },
  'models.local': { sv: 'Lokal', en: 'Local' },
  'models.tasks': { sv: 'Uppgifter', en: 'Tasks' },
  'models.state': { sv: 'Läge', en: 'State' },
  'models.ready': { sv: 'Redo', en: 'Ready' },
  'models.none': {
    sv: 'Inga modeller är konfigurerade ännu. Se instruktionerna nedan.',
    en: 'No models are configured yet. See the instructions below.',
  },
  'models.test': { sv: 'Testa {alias}', en: 'Test {alias}' },
  'models.testMissing': {
    sv: 'Servern kan ännu inte testa en modell från webben; kör `npx polett models test {alias}` på servern.',
    en: 'The server cannot test a model from the web yet; run `npx polett models test {alias}` on the server.',
  },
  'models.pullTitle': { sv: 'Hämta en modell', en: 'Pull a model' },
  'models.pullIntro': {
    sv: 'Polett hämtar modellen från Hugging Face-hubben i bakgrunden och lägger till den bland modellerna ovan.',
    en: 'Polett pulls the model from the Hugging Face hub in the background and adds it to the models above.',
  },
  'models.pullCatalogue': {
    sv: '`polett models catalogue` listar rekommenderade modeller för varje uppgift.',
    en: '`polett models catalogue` lists recommended models for each task.',
  },
  'models.pullReference': { sv: 'Referens på hubben', en: 'Hub reference' },
  'models.pullReferenceHint': {
    sv: 'ägare/arkiv, eller ägare/arkiv/fil.gguf, till exempel {example}',
    en: 'owner/repository, or owner/repository/file.gguf, for example {example}',
  },
  'models.pullName': { sv: 'Namn i Polett (valfritt)', en: 'Name in Polett (optional)' },
  'models.pullNameHint': {
    sv: 'Utan namn får modellen det namn som står i filen.',
    en: 'Without a name, the model gets the name written in its file.',
  },
  'models.pullStart': { sv: 'Hämta modellen', en: 'Pull the model' },
  'models.pulling': { sv: 'Hämtar …', en: 'Pulling…' },
  'models.pullDone': {
    sv: 'Modellen {name} är hämtad och redo att användas.',
    en: 'The model {name} is pulled and ready to use.',
  },
  'models.pullFailed': { sv: 'Hämtningen misslyckades: {message}', en: 'The pull failed: {message}' },
  'models.pullCancelled': { sv: 'Hämtningen avbröts.', en: 'The pull was cancelled.' },
  'usage.title': { sv: 'Användning', en: 'Usage' },
  'usage.learnLink': {
    sv: 'Vad är en token, och varför kostar svensk text fler? Se Lär dig.',
    en: 'What is a token, and why does Swedish text take more? See Learn.',
  },
  'usage.tokensPerDay': { sv: 'Tokens per dag', en: 'Tokens per day' },
  'usage.costPerDay': { sv: 'Kostnad per dag', en: 'Cost per day' },
  'usage.perTask': { sv: 'Per uppgift', en: 'Per task' },
  'usage.day': { sv: 'Dag', en: 'Day' },
  'usage.inputTokens': { sv: 'Tokens in', en: 'Tokens in' },
  'usage.outputTokens': { sv: 'Tokens ut', en: 'Tokens out' },
  'usage.tokens': { sv: 'Tokens', en: 'Tokens' },
  'usage.cost': { sv: 'Kostnad', en: 'Cost' },
  'usage.calls': { sv: 'Anrop', en: 'Calls' },
  'usage.empty': {
    sv: 'Ingen användning de senaste 30 dagarna.',
    en: 'No use in the last 30 days.',
  },
  'usage.notAvailable': {
    sv: 'Användningsstatistiken finns inte i den här versionen av servern ännu.',
    en: 'Usage statistics are not in this version of the server yet.',
  },
  'usage.chartLabel': {
    sv: 'Stapeldiagram: {series} per dag de senaste 30 dagarna',
    en: 'Bar chart: {series} per day over the last 30 days',
  },

  'settings.title': { sv: 'Inställningar', en: 'Settings' },
  'settings.workspace': { sv: 'Arbetsyta', en: 'Workspace' },
  'settings.workspaceName': { sv: 'Arbetsytans namn', en: "The workspace's name" },
  'settings.save': { sv: 'Spara', en: 'Save' },
  'settings.saved': { sv: 'Sparat.', en: 'Saved.' },
  'settings.newWorkspace': { sv: 'Ny arbetsyta', en: 'New workspace' },
  'settings.newWorkspaceIntro': {
    sv: 'En arbetsyta per varumärke eller webbplats; allt som sparas hör till en av dem. Du blir dess ägare.',
    en: 'One workspace per brand or site; everything stored belongs to one of them. You become its owner.',
  },
  'settings.newWorkspaceName': { sv: 'Den nya arbetsytans namn', en: "The new workspace's name" },
  'settings.createWorkspace': { sv: 'Skapa arbetsytan', en: 'Create the workspace' },
  'settings.members': { sv: 'Medlemmar och roller', en: 'Members and roles' },
  'settings.memberName': { sv: 'Namn', en: 'Name' },
  'settings.memberEmail': { sv: 'E-post', en: 'E-mail' },
  'settings.memberRole': { sv: 'Roll', en: 'Role' },
  'settings.invite': { sv: 'Bjud in', en: 'Invite' },
  'settings.inviteTitle': { sv: 'Bjud in en person', en: 'Invite a person' },
  'settings.invited': {
    sv: 'Inbjudan är skapad. Skicka den här länken till personen: {link}',
    en: 'The invitation is created. Send this link to the person: {link}',
  },
  'settings.joined': {
    sv: '{name} har redan ett konto och är nu medlem.',
    en: '{name} has an account already and is now a member.',
  },
  'settings.pendingInvitations': { sv: 'Väntande inbjudningar', en: 'Pending invitations' },
  'settings.invitationExpires': { sv: 'Gäller till', en: 'Valid until' },
  'settings.withdraw': { sv: 'Dra tillbaka inbjudan till {email}', en: 'Withdraw the invitation to {email}' },
  'settings.removeMember': { sv: 'Ta bort {name}', en: 'Remove {name}' },
  'settings.apiKeys': { sv: 'API-nycklar', en: 'API keys' },
  'settings.apiKeysIntro': {
    sv: 'Nycklar för REST-API:t och det OpenAI-kompatibla API:t. En ny nyckel visas bara en gång.',
    en: 'Keys for the REST API and the OpenAI-compatible API. A new key is shown only once.',
  },
  'settings.keyName': { sv: 'Nyckelns namn', en: "The key's name" },
  'settings.keyScopes': { sv: 'Behörigheter', en: 'Scopes' },
  'settings.createKey': { sv: 'Skapa nyckel', en: 'Create key' },
  'settings.keyCreated': {
    sv: 'Kopiera nyckeln nu. Den visas inte igen.',
    en: 'Copy the key now. It will not be shown again.',
  },
  'settings.copy': { sv: 'Kopiera', en: 'Copy' },
  'settings.copied': { sv: 'Kopierad', en: 'Copied' },
  'settings.keyPrefix': { sv: 'Början', en: 'Prefix' },
  'settings.keyCreatedAt': { sv: 'Skapad', en: 'Created' },
  'settings.keyLastUsed': { sv: 'Senast använd', en: 'Last used' },
  'settings.never': { sv: 'Aldrig', en: 'Never' },
  'settings.revoke': { sv: 'Återkalla {name}', en: 'Revoke {name}' },
  'settings.revokeConfirm': {
    sv: 'Återkalla nyckeln {name}? Program som använder den slutar fungera.',
    en: 'Revoke the key {name}? Programs that use it will stop working.',
  },
  'settings.noKeys': { sv: 'Inga nycklar ännu.', en: 'No keys yet.' },
  'settings.audit': { sv: 'Händelselogg', en: 'Audit log' },
  'settings.auditWhen': { sv: 'När', en: 'When' },
  'settings.auditWho': { sv: 'Vem', en: 'Who' },
  'settings.auditWhat': { sv: 'Vad', en: 'What' },
  'settings.auditTarget': { sv: 'Gäller', en: 'Target' },
  'settings.auditEmpty': { sv: 'Inga händelser ännu.', en: 'No events yet.' },
  'settings.retention': { sv: 'Lagringstid', en: 'Data retention' },
  'settings.retentionIntro': {
    sv: 'Hur länge samtal och synpunkter sparas. Ett schemalagt jobb raderar det som är äldre. Tomt betyder för alltid.',
    en: 'How long conversations and feedback are kept. A scheduled job deletes what is older. Empty means forever.',
  },
  'settings.conversationDays': { sv: 'Samtal (dagar)', en: 'Conversations (days)' },
  'settings.feedbackDays': { sv: 'Synpunkter (dagar)', en: 'Feedback (days)' },
  'settings.notAvailable': {
    sv: 'Servern har inte den här funktionen ännu.',
    en: 'The server does not have this feature yet.',
  },
  'settings.forbidden': {
    sv: 'Din roll får inte se det här.',
    en: 'Your role may not see this.',
  },

  'invitation.title': { sv: 'Gå med i arbetsytan', en: 'Join the workspace' },
  'invitation.intro': {
    sv: 'Du har blivit inbjuden till Polett. Välj det namn som kollegorna ska se och ett lösenord.',
    en: 'You have been invited to Polett. Choose the name your colleagues will see and a password.',
  },
  'invitation.missingToken': {
    sv: 'Länken saknar sin inbjudningskod. Be den som bjöd in dig om en ny länk.',
    en: 'The link lacks its invitation code. Ask the person who invited you for a new link.',
  },
  'invitation.submit': { sv: 'Gå med', en: 'Join' },

  'account.title': { sv: 'Ditt konto', en: 'Your account' },
  'account.currentPassword': { sv: 'Nuvarande lösenord', en: 'Current password' },
  'account.newPassword': { sv: 'Nytt lösenord', en: 'New password' },
  'account.changePassword': { sv: 'Byt lösenord', en: 'Change password' },
  'account.passwordChanged': {
    sv: 'Lösenordet är bytt. Du har loggats ut på {count} andra enheter.',
    en: 'The password is changed. You have been signed out on {count} other devices.',
  },
  'account.signOutEverywhere': { sv: 'Logga ut överallt', en: 'Sign out everywhere' },
  'account.signOutEverywhereHint': {
    sv: 'Avslutar alla dina inloggningar, på alla enheter, också den här.',
    en: 'Ends all your sessions, on every device, this one included.',
  },

  'audit.auth.password_changed': { sv: 'bytte lösenord', en: 'changed password' },
  'audit.auth.sign_in': { sv: 'loggade in', en: 'signed in' },
  'audit.auth.sign_in_failed': { sv: 'misslyckad inloggning', en: 'failed sign-in' },
  'audit.auth.sign_out': { sv: 'loggade ut', en: 'signed out' },
  'audit.auth.sign_out_everywhere': { sv: 'loggade ut överallt', en: 'signed out everywhere' },
  'audit.invitation.revoked': { sv: 'drog tillbaka en inbjudan', en: 'withdrew an invitation' },
  'audit.key.created': { sv: 'skapade en API-nyckel', en: 'created an API key' },
  'audit.key.revoked': { sv: 'återkallade en API-nyckel', en: 'revoked an API key' },
  'audit.member.added': { sv: 'lade till en medlem', en: 'added a member' },
  'audit.member.invited': { sv: 'bjöd in en person', en: 'invited a person' },
  'audit.member.joined': { sv: 'gick med', en: 'joined' },
  'audit.member.removed': { sv: 'tog bort en medlem', en: 'removed a member' },
  'audit.member.role_changed': { sv: 'ändrade en roll', en: 'changed a role' },
  'audit.setup.completed': { sv: 'satte upp Polett', en: 'set up Polett' },
  'audit.workspace.created': { sv: 'skapade arbetsytan', en: 'created the workspace' },
  'audit.workspace.updated': { sv: 'ändrade arbetsytan', en: 'changed the workspace' },

  'jobs.title': { sv: 'Bakgrundsjobb', en: 'Background jobs' },
  'jobs.intro': {
    sv: 'Långa arbeten, som att läsa in dokument eller analysera synpunkter, körs som jobb. Förloppet uppdateras medan du tittar.',
    en: 'Long work, such as reading in documents or analysing feedback, runs as jobs. The progress updates while you watch.',
  },
  'jobs.empty': { sv: 'Inga jobb ännu.', en: 'No jobs yet.' },
  'jobs.queued': { sv: 'väntar', en: 'queued' },
  'jobs.running': { sv: 'pågår', en: 'running' },
  'jobs.succeeded': { sv: 'klart', en: 'done' },
  'jobs.failed': { sv: 'misslyckades', en: 'failed' },
  'jobs.cancelled': { sv: 'avbrutet', en: 'cancelled' },

  'form.required': { sv: 'Fyll i {field}.', en: 'Fill in {field}.' },
  'form.failed': { sv: 'Det gick inte: {message}', en: 'It did not work: {message}' },
  'api.unreachable': {
    sv: 'Polett svarar inte ({detail}); kontrollera nätverket och att servern är igång, och försök igen.',
    en: 'Polett does not answer ({detail}); check the network and that the server is running, then try again.',
  },
  'api.tooLarge': {
    sv: 'Det som skickades är för stort för servern eller en proxy framför den (HTTP 413); skicka mindre, eller be administratören höja gränsen.',
    en: 'What was sent is too large for the server or a proxy in front of it (HTTP 413); send less, or ask the administrator to raise the limit.',
  },
  'api.unavailable': {
    sv: 'Servern, eller en proxy framför den, svarar inte just nu (HTTP {status}); försök igen om en stund.',
    en: 'The server, or a proxy in front of it, does not answer right now (HTTP {status}); try again in a moment.',
  },
  'api.unexplained': {
    sv: 'Servern svarade HTTP {status} utan förklaring; försök igen, och kontakta administratören om det upprepas.',
    en: 'The server answered HTTP {status} without an explanation; try again, and contact the administrator if it happens again.',
  },
} as const satisfies Record<string, LocalizedText>;

export const messages = {
  ...coreMessages,
  ...assistantMessages,
  ...knowledgeMessages,
  ...insightsMessages,
  ...contentMessages,
  ...learnMessages,
} as const satisfies Record<string, LocalizedText>;

export type MessageKey = keyof typeof messages;

/** The text for `key` in `locale`, with `{name}` placeholders filled from `values`. */
export function translate(
  locale: Locale,
  key: MessageKey,
  values: Record<string, string | number> = {},
): string {
  return messages[key][locale].replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in values ? String(values[name]) : placeholder,
  );
}
