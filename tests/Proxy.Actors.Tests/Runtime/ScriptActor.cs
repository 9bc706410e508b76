using Proxy.Actors.Runtime;
using Proxy.TestKit;

namespace Proxy.Actors.Tests.Runtime;

/// <summary>Runs a step against the actor's context.</summary>
internal sealed record Do(Func<IActorContext<object>, ValueTask> Step)
{
    public static Do Sync(Action<IActorContext<object>> step) => new(context =>
    {
        step(context);
        return default;
    });
}

/// <summary>
/// A test actor: runs <see cref="Do"/> steps with its context and forwards every other message
/// (timer ticks, death-watch notices, plain data) to the probe.
/// </summary>
internal sealed class ScriptActor : Actor<object>
{
    private readonly TestProbe<object> _probe;

    public ScriptActor(TestProbe<object> probe) => _probe = probe;

    protected override ValueTask Receive(object message)
    {
        if (message is Do step)
        {
            return step.Step(Context);
        }

        _probe.Tell(message);
        return default;
    }
}

/// <summary>A step that blocks the actor until released, so tests can queue behind it deterministically.</summary>
internal sealed class Gate
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A step that signals it has started, waits for <see cref="Release"/>, then runs <paramref name="after"/>.</summary>
    public Do Hold(Action<IActorContext<object>>? after = null) => new(async context =>
    {
        _entered.SetResult();
        await _released.Task;
        after?.Invoke(context);
    });

    public Task Entered => _entered.Task.WaitAsync(RuntimeTestSupport.Patience);

    public void Release() => _released.SetResult();
}
