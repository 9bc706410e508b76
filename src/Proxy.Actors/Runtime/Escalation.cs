namespace Proxy.Actors.Runtime;

/// <summary>
/// A child failed and its supervisor's strategy said Escalate. The child waits, suspended, for
/// <see cref="Outcome"/>: true to resume, false to stop (its parent restarts or stops).
/// </summary>
internal sealed record Escalation(ActorCellBase Child, Exception Error, TaskCompletionSource<bool> Outcome);
