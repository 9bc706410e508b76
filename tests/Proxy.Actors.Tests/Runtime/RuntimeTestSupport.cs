using Proxy.Actors.Runtime;

namespace Proxy.Actors.Tests.Runtime;

internal static class RuntimeTestSupport
{
    /// <summary>A bound on real-time waits so a broken runtime fails a test instead of hanging it.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Completes once the actor has fully stopped (children, PostStop, notices done).</summary>
    public static Task WhenStopped(this IActorRef actor) =>
        ((ActorCellBase)actor).Terminated.WaitAsync(Patience);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Patience);

    public static Task Within(this Task task) => task.WaitAsync(Patience);

    /// <summary>An actor built from lambdas, for tests that need a few lines of behaviour.</summary>
    public static Func<Actor<T>> Of<T>(Func<IActorContext<T>, T, ValueTask> receive) => () => new LambdaActor<T>(receive);

    private sealed class LambdaActor<T> : Actor<T>
    {
        private readonly Func<IActorContext<T>, T, ValueTask> _receive;

        public LambdaActor(Func<IActorContext<T>, T, ValueTask> receive) => _receive = receive;

        protected override ValueTask Receive(T message) => _receive(Context, message);
    }
}
