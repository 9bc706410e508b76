namespace Proxy.LoadClient.Load;

/// <summary>One path under load: where to send chat requests.</summary>
internal sealed record LoadTarget(PathKind Path, Uri ChatUri)
{
    public string Name => Path.ToString().ToLowerInvariant();

    public static LoadTarget For(PathKind path, int port) =>
        new(path, new Uri($"http://127.0.0.1:{port}/v1/chat/completions"));
}
