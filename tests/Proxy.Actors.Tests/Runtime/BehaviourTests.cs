using Proxy.Actors.Runtime;
using Proxy.TestKit;

namespace Proxy.Actors.Tests.Runtime;

public sealed class BehaviourTests
{
    [Fact]
    public async Task Become_handles_every_following_message_with_the_new_behaviour_until_Unbecome()
    {
        await using var system = new ActorSystem("become");
        var probe = new TestProbe<string>(system);
        IActorRef<string> toggle = system.Spawn(() => new ToggleActor(probe), "toggle");

        foreach (string message in new[] { "a", "open", "b", "c", "close", "d" })
        {
            toggle.Tell(message);
        }

        Assert.Equal("closed:a", probe.ExpectMsg<string>());
        Assert.Equal("closed:open", probe.ExpectMsg<string>());
        Assert.Equal("open:b", probe.ExpectMsg<string>());
        Assert.Equal("open:c", probe.ExpectMsg<string>());
        Assert.Equal("open:close", probe.ExpectMsg<string>());
        Assert.Equal("closed:d", probe.ExpectMsg<string>());
    }

    private sealed class ToggleActor : Actor<string>
    {
        private readonly TestProbe<string> _probe;

        public ToggleActor(TestProbe<string> probe) => _probe = probe;

        protected override ValueTask Receive(string message)
        {
            _probe.Tell("closed:" + message);
            if (message == "open")
            {
                Become(Open);
            }

            return default;
        }

        private ValueTask Open(string message)
        {
            _probe.Tell("open:" + message);
            if (message == "close")
            {
                Unbecome();
            }

            return default;
        }
    }
}
