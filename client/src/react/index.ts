// shipyard/react: React bindings over shipyard/client.
export { ShipyardProvider, useShipyardClient } from './context.js';
export { useAgentRun, type AgentRun, type UseAgentRun, type UseAgentRunOptions } from './use-agent-run.js';
export { AgentTerminal, TerminalView, type AgentTerminalProps, type TerminalViewProps } from './agent-terminal.js';
export { buildRows, type Row, type RowKind } from './terminal-rows.js';
