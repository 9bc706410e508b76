namespace Proxy.Actors.Runtime;

/// <summary>What a supervisor does with a child that failed.</summary>
public enum Directive
{
    /// <summary>Keep the instance and its state; the failed message is dropped.</summary>
    Resume,

    /// <summary>Replace the instance with a new one from the factory; the mailbox is kept.</summary>
    Restart,

    /// <summary>Stop the child.</summary>
    Stop,

    /// <summary>Fail the supervisor itself, as if it had thrown; its own supervisor decides.</summary>
    Escalate,
}
