// The terminal's look, scoped under .shipyard-terminal; override any rule from your own CSS.
export const ROW_HEIGHT = 18;

export const terminalCss = `
.shipyard-terminal { font: 12px/${ROW_HEIGHT}px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #0f1419; color: #d6dde6; border-radius: 6px; overflow: hidden; }
.shipyard-terminal .st-head { display: flex; gap: 12px; align-items: center; padding: 6px 10px; background: #1a2129; border-bottom: 1px solid #2a333d; }
.shipyard-terminal .st-status { font-weight: 600; }
.shipyard-terminal .st-status[data-status=RUNNING], .shipyard-terminal .st-status[data-status=QUEUED] { color: #7cc4fa; }
.shipyard-terminal .st-status[data-status=SUCCEEDED] { color: #7ee2a8; }
.shipyard-terminal .st-status[data-status=FAILED] { color: #ff8585; }
.shipyard-terminal .st-status[data-status=CANCELLED], .shipyard-terminal .st-status[data-status=STOPPED] { color: #f5c26b; }
.shipyard-terminal .st-status[data-status=PAUSED], .shipyard-terminal .st-paused { color: #f0a6ca; }
.shipyard-terminal .st-bar { flex: 1; max-width: 240px; height: 8px; background: #2a333d; border-radius: 4px; overflow: hidden; }
.shipyard-terminal .st-bar > div { height: 100%; background: #4cc38a; transition: width .3s; }
.shipyard-terminal .st-muted { color: #8b98a5; }
.shipyard-terminal button { font: inherit; background: #2a333d; color: inherit; border: 1px solid #3a4652; border-radius: 4px; padding: 1px 8px; cursor: pointer; }
.shipyard-terminal button.st-stop { border-color: #a33; color: #ff9b9b; }
.shipyard-terminal .st-body { padding: 0 10px; }
.shipyard-terminal .st-row { height: ${ROW_HEIGHT}px; white-space: pre; overflow: hidden; text-overflow: ellipsis; }
.shipyard-terminal .st-row[data-toggle], .shipyard-terminal .st-row[data-more] { cursor: pointer; }
.shipyard-terminal .k-status { color: #7cc4fa; }
.shipyard-terminal .k-paused { color: #f0a6ca; }
.shipyard-terminal .k-text { color: #e6edf3; }
.shipyard-terminal .k-tool-call { color: #d2a8ff; }
.shipyard-terminal .k-tool-result { color: #8b98a5; }
.shipyard-terminal .k-tool-error { color: #ff9b9b; }
.shipyard-terminal .k-output { color: #a9b4bf; padding-left: 2ch; background: #141b22; }
.shipyard-terminal .k-more { color: #7cc4fa; padding-left: 2ch; text-decoration: underline; }
.shipyard-terminal .k-test-pass { color: #7ee2a8; }
.shipyard-terminal .k-test-fail { color: #ff8585; }
.shipyard-terminal .k-commit { color: #f5c26b; }
.shipyard-terminal .k-feature { color: #8b98a5; }
.shipyard-terminal .k-feature-pass { color: #4cc38a; font-weight: 600; }
.shipyard-terminal .k-error { color: #ff6b6b; font-weight: 600; }
.shipyard-terminal .k-complete { color: #e6edf3; font-weight: 600; border-top: 1px solid #2a333d; }
.shipyard-terminal .st-follow { position: absolute; right: 16px; bottom: 10px; }
`;
