using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Proxy.Actors.Runtime;
using Proxy.TestKit;

namespace Proxy.Actors.Tests.Runtime;

public sealed class HostingTests
{
    [Fact]
    public async Task AddActorSystem_uses_the_registered_TimeProvider_and_the_hosted_service_stops_the_system()
    {
        var time = new ManualTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddLogging();
        services.AddActorSystem("hosted");
        await using ServiceProvider provider = services.BuildServiceProvider();

        ActorSystem system = provider.GetRequiredService<ActorSystem>();
        Assert.Equal("hosted", system.Name);
        Assert.Same(time, system.Time);
        Assert.Same(system, provider.GetRequiredService<ActorSystem>());
        var probe = new TestProbe<object>(system);
        IActorRef<object> actor = system.Spawn(() => new ScriptActor(probe), "worker");

        IHostedService hosted = Assert.Single(provider.GetServices<IHostedService>());
        await hosted.StartAsync(CancellationToken.None);
        await hosted.StopAsync(CancellationToken.None).Within();

        Assert.True(actor.IsStopped);
    }

    [Fact]
    public async Task AddActorSystem_falls_back_to_the_system_clock()
    {
        var services = new ServiceCollection();
        services.AddActorSystem("plain");
        await using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Same(TimeProvider.System, provider.GetRequiredService<ActorSystem>().Time);
    }
}
