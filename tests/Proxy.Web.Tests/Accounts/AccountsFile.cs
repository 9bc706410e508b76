namespace Proxy.Web.Tests.Accounts;

/// <summary>An accounts file in a fresh temp folder, mode 0600 unless a test asks otherwise; removed on dispose.</summary>
internal sealed class AccountsFile : IDisposable
{
    private readonly string _folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "qwen-proxy-accounts", Guid.NewGuid().ToString("N"));

    public AccountsFile(string json, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        Directory.CreateDirectory(_folder);
        Path = System.IO.Path.Combine(_folder, "accounts.json");
        File.WriteAllText(Path, json);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path, mode);
        }
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
