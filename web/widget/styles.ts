/** The widget's styles, inside its Shadow DOM: the site's CSS cannot reach them, nor they the site. */
export const WIDGET_STYLES = `
:host { all: initial; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.launcher, .panel { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; }
.launcher { background: #1d4e89; color: #fff; border: 0; border-radius: 24px; padding: 12px 20px;
  font-size: 15px; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); }
.launcher:focus-visible, button:focus-visible, textarea:focus-visible, a:focus-visible {
  outline: 3px solid #edae49; outline-offset: 2px; }
.panel { width: min(380px, calc(100vw - 40px)); height: min(560px, calc(100vh - 40px)); background: #fff;
  color: #1a1a1a; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.3); display: flex;
  flex-direction: column; overflow: hidden; font-size: 14px; line-height: 1.45; }
.panel[hidden], .launcher[hidden] { display: none; }
header { display: flex; align-items: center; justify-content: space-between; background: #1d4e89;
  color: #fff; padding: 10px 14px; }
h2 { margin: 0; font-size: 16px; font-weight: 600; }
.close { background: transparent; color: #fff; border: 0; font-size: 22px; cursor: pointer; line-height: 1; }
.log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 10px; }
.message { max-width: 88%; padding: 8px 12px; border-radius: 10px; background: #f1f3f6; align-self: flex-start;
  overflow-wrap: anywhere; }
.message.customer { background: #1d4e89; color: #fff; align-self: flex-end; }
.message.agent { background: #e3f1ea; }
.message.system { background: transparent; color: #555; font-style: italic; align-self: center; }
.message.failed { opacity: .6; }
.who { display: block; font-size: 11px; opacity: .75; margin-bottom: 2px; }
.text p { margin: 0 0 6px; } .text p:last-child { margin-bottom: 0; }
.text a, .sources a { color: #0b4f9c; }
.message.customer .text a { color: #fff; }
.streaming .text::after { content: "▍"; animation: blink 1s steps(2) infinite; }
@keyframes blink { 50% { opacity: 0; } }
.sources { margin-top: 6px; font-size: 12px; color: #333; }
.sources ol { margin: 2px 0 0; padding-left: 20px; }
.feedback { margin-top: 4px; display: flex; gap: 4px; }
.feedback button { background: transparent; border: 1px solid #c9ced6; border-radius: 6px; cursor: pointer;
  padding: 0 6px; font-size: 13px; }
.thanks { font-size: 12px; color: #2c6e49; }
.notice { margin: 0; padding: 0 12px; color: #8a1c1c; font-size: 13px; min-height: 0; }
.notice:empty { display: none; }
form { display: flex; gap: 6px; padding: 8px 12px; border-top: 1px solid #e2e5ea; }
textarea { flex: 1; resize: none; border: 1px solid #b8bfc9; border-radius: 8px; padding: 6px 8px; font-size: 14px; }
form button { background: #1d4e89; color: #fff; border: 0; border-radius: 8px; padding: 0 14px; cursor: pointer; }
form button:disabled { opacity: .6; cursor: wait; }
.person { margin: 0 12px 10px; background: transparent; border: 1px solid #1d4e89; color: #1d4e89;
  border-radius: 8px; padding: 6px; cursor: pointer; }
`;
