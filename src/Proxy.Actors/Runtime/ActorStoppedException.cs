namespace Proxy.Actors.Runtime;

/// <summary>The actor addressed has stopped (or stopped before it answered).</summary>
public sealed class ActorStoppedException : InvalidOperationException
{
    public ActorStoppedException()
        : this("The actor has stopped.")
    {
    }

    public ActorStoppedException(string message)
        : base(message)
    {
    }

    public ActorStoppedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal static ActorStoppedException For(string path) => new($"The actor {path} has stopped.");
}
