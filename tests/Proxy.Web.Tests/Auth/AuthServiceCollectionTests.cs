using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Proxy.Actors.Auth;
using Akka.Actor;
using Proxy.Web.Auth;

namespace Proxy.Web.Tests.Auth;

public sealed class AuthServiceCollectionTests : IDisposable
{
    private readonly TempQwenDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Token_manager_lives_in_the_host_actor_system_even_when_it_is_registered_later()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddQwenAuth(new QwenAuthOptions { QwenDir = _dir.Folder });
        using var host = ActorSystem.Create("host", "akka.loglevel = WARNING");
        services.AddSingleton(host);
        await using var provider = services.BuildServiceProvider();

        var manager = provider.GetRequiredService<TokenManager>();

        Assert.Equal("akka://host/user/token-qwen", manager.Actor.Path.ToString());
        Assert.Same(manager, provider.GetRequiredService<ITokenSource>());
        Assert.Single(provider.GetServices<ActorSystem>());
    }

    [Fact]
    public async Task Without_a_host_actor_system_the_token_manager_gets_its_own()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddQwenAuth(new QwenAuthOptions { QwenDir = _dir.Folder });
        await using var provider = services.BuildServiceProvider();

        var manager = provider.GetRequiredService<TokenManager>();

        Assert.Equal("akka://qwen-auth/user/token-qwen", manager.Actor.Path.ToString());
        Assert.Empty(provider.GetServices<ActorSystem>());
        var snapshot = await manager.ReloadAsync(CancellationToken.None);
        Assert.Equal(AuthState.NoCredential, snapshot.State);
    }
}
