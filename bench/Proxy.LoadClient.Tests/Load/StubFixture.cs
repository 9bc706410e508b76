using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Proxy.LoadClient.Load;
using Proxy.LoadClient.Stub;

namespace Proxy.LoadClient.Tests.Load;

/// <summary>The stub upstream on a free port, shared by the tests of a class.</summary>
public sealed class StubFixture : IAsyncLifetime
{
    public const string Key = "test-key";
    private Microsoft.AspNetCore.Builder.WebApplication? _app;

    internal LoadTarget Target { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _app = StubUpstream.Build(0, Key, "chunks=3;delay_ms=0");
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Target = new LoadTarget(PathKind.Direct, new Uri(new Uri(address), "/v1/chat/completions"));
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
