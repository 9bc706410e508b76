using Proxy.Actors.Runtime;
using Proxy.TestKit;
using Xunit.Sdk;

namespace Proxy.Actors.Tests.Runtime;

public sealed class TestProbeTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(50);

    [Fact]
    public void ExpectMsg_returns_messages_in_arrival_order()
    {
        var probe = new TestProbe<object>("probe");
        probe.Tell("first");
        probe.Tell(2);

        Assert.Equal("first", probe.ExpectMsg<string>());
        Assert.Equal(2, probe.ExpectMsg<int>(n => n == 2));
    }

    [Fact]
    public void ExpectMsg_fails_on_a_message_of_another_type()
    {
        var probe = new TestProbe<object>("probe");
        probe.Tell(42);

        var failure = Assert.Throws<XunitException>(() => probe.ExpectMsg<string>());

        Assert.Equal("probe: expected a String, got Int32 42.", failure.Message);
    }

    [Fact]
    public void ExpectMsg_fails_when_the_predicate_does_not_match()
    {
        var probe = new TestProbe<string>("probe");
        probe.Tell("no");

        var failure = Assert.Throws<XunitException>(() => probe.ExpectMsg<string>(s => s == "yes"));

        Assert.Equal("probe: got String no, which does not match the expectation.", failure.Message);
    }

    [Fact]
    public void ExpectMsg_fails_when_nothing_arrives_within_the_bound()
    {
        var probe = new TestProbe<string>("probe");

        var failure = Assert.Throws<XunitException>(() => probe.ExpectMsg<string>(Short));

        Assert.Equal($"probe: expected a String within {Short}, got nothing.", failure.Message);
    }

    [Fact]
    public async Task ExpectMsgAsync_completes_when_a_message_arrives_later()
    {
        var probe = new TestProbe<int>("probe");
        Task<int> expectation = probe.ExpectMsgAsync<int>();
        Assert.False(expectation.IsCompleted);

        probe.Tell(7);

        Assert.Equal(7, await expectation.Within());
    }

    [Fact]
    public void ExpectNoMsg_fails_when_a_message_is_there()
    {
        var probe = new TestProbe<string>("probe");
        probe.ExpectNoMsg(Short);
        probe.Tell("surprise");

        var failure = Assert.Throws<XunitException>(() => probe.ExpectNoMsg(Short));

        Assert.Equal("probe: expected no message, got String surprise.", failure.Message);
    }

    [Fact]
    public async Task A_probe_can_be_asked_and_answer_through_the_reply()
    {
        await using var system = new ActorSystem("probe");
        var probe = new TestProbe<Reply<string>>(system, "asked");
        Assert.Equal("probe/probe/asked", probe.Path);

        Task<string> ask = probe.Ask<Reply<string>, string>(reply => reply, TimeSpan.FromSeconds(5));
        probe.ExpectMsg<Reply<string>>().TrySuccess("answered");

        Assert.Equal("answered", await ask.Within());
    }
}
