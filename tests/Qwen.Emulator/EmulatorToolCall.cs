namespace Qwen.Emulator;

/// <summary>One tool call a <c>tools=N</c> scenario streams: <see cref="Arguments"/> is the whole JSON text.</summary>
public sealed record EmulatorToolCall(int Index, string Id, string Name, string Arguments);
