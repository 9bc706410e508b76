namespace Proxy.TestKit;

/// <summary>A fresh, not yet created credential folder under the temp directory, removed on dispose.</summary>
public sealed class TempQwenDir : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "qwen-proxy-tests", Guid.NewGuid().ToString("N"));

    public TempQwenDir() => Folder = Path.Combine(_root, ".qwen");

    public string Folder { get; }

    public string CredentialFile => Path.Combine(Folder, "oauth_creds.json");

    public string LockFile => Path.Combine(Folder, "oauth_creds.lock");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
