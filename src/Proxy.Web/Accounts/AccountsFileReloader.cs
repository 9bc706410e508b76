using System.Runtime.InteropServices;
using Proxy.Actors.Auth;
using Proxy.Web.Configuration;
using Proxy.Web.Gateway;
using Proxy.Web.Logging;

namespace Proxy.Web.Accounts;

/// <summary>
/// Puts rotated keys in place without a restart. The accounts file is read again when it changes
/// (a watcher on its folder, so an editor's save-by-rename counts; a burst of changes is read once,
/// <see cref="Settle"/> after the last, so a file written in pieces is not read half way) and on
/// SIGHUP, through the same validation as at start. An API-key account whose entry differs only in its key takes the new key
/// at once, for the requests that start from then on, and a dead mark (a rejected key) is lifted.
/// Everything else (accounts added or removed, URLs, weights, models, headers, the strategy)
/// applies at the next start: one warning names what. A file that no longer validates changes
/// nothing; its error is logged.
/// </summary>
internal sealed class AccountsFileReloader(
    AccountPoolOptions current,
    UpstreamPool pool,
    Func<string, string?> lookup,
    string defaultQwenDir,
    TimeProvider time,
    ILogger<AccountsFileReloader> logger) : IHostedService, IDisposable
{
    /// <summary>How long the file must stay unchanged before it is read.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(250);

    private static readonly HashSet<string> NoModels = [];
    private static readonly Dictionary<string, string> NoPairs = [];

    private readonly Lock _gate = new();
    private FileSystemWatcher? _watcher;
    private ITimer? _settle;
    private PosixSignalRegistration? _hangUp;

    /// <summary>Told after every reading of the file, with what it did (tests wait on it).</summary>
    public event Action<AccountsReload>? Reloaded;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (current.File is not { } file)
        {
            return Task.CompletedTask;
        }

        var full = Path.GetFullPath(file);
        _settle = time.CreateTimer(static state => ((AccountsFileReloader)state!).Reload(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => Changed();
        _watcher.Created += (_, _) => Changed();
        _watcher.Renamed += (_, _) => Changed();
        _watcher.EnableRaisingEvents = true;
        if (!OperatingSystem.IsWindows())
        {
            _hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true; // a reload, not the end of the process
                Reload();
            });
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _watcher = null;
        _settle?.Dispose();
        _settle = null;
        _hangUp?.Dispose();
        _hangUp = null;
    }

    /// <summary>The file changed: it is read once it has been left alone for <see cref="Settle"/>.</summary>
    private void Changed() => _settle?.Change(Settle, Timeout.InfiniteTimeSpan);

    /// <summary>Reads the file again and applies what can be applied now; safe to call at any time, from any thread.</summary>
    public AccountsReload Reload()
    {
        AccountsReload result;
        lock (_gate)
        {
            result = ReadAndApply();
        }

        Reloaded?.Invoke(result);
        return result;
    }

    private AccountsReload ReadAndApply()
    {
        AccountPoolOptions fresh;
        try
        {
            fresh = AccountsFileLoader.Load(current.File!, lookup, defaultQwenDir);
        }
        catch (ProxyConfigurationException ex)
        {
            AccountLog.ReloadRefused(logger, ex.Message);
            return new AccountsReload([], [], ex.Message);
        }
#pragma warning disable CA1031 // Runs on a timer or a signal: whatever reading the file throws is logged, never the end of the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var message = $"{ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}";
            AccountLog.ReloadRefused(logger, message);
            return new AccountsReload([], [], message);
        }

        var rotated = new List<string>();
        var later = new List<string>();
        foreach (var state in pool.Accounts.Accounts)
        {
            var now = state.Definition;
            var next = fresh.Accounts.FirstOrDefault(a => a.Name == now.Name);
            if (next is null)
            {
                later.Add(now.Name + " removed");
                continue;
            }

            if (!SameButKey(now, next))
            {
                later.Add(now.Name + " changed");
                continue;
            }

            if (now.Kind != AccountKind.ApiKey || string.Equals(now.ApiKey, next.ApiKey, StringComparison.Ordinal))
            {
                continue;
            }

            var upstream = pool.For(state);
            if (upstream.Tokens is ApiKeyTokenSource keys)
            {
                keys.Replace(next.ApiKey!);
            }

            // With PROXY_POSTGRES this instance also kept the dead mark as a rest of its gate.
            upstream.Gate.Cooldown.Lift(SharedDeadMarks.Reason);
            var wasDead = state.ReplaceKey(next);
            AccountLog.KeyReplaced(logger, now.Name, Secrets.Mask(next.ApiKey), next.ApiKeySource ?? "the accounts file", wasDead ? " and is alive again" : string.Empty);
            rotated.Add(now.Name);
        }

        later.AddRange(fresh.Accounts.Where(a => pool.Accounts.Accounts.All(s => s.Name != a.Name)).Select(a => a.Name + " added"));
        if (fresh.Strategy != current.Strategy || fresh.Affinity != current.Affinity)
        {
            later.Add("the strategy or affinity");
        }

        if (later.Count > 0)
        {
            AccountLog.ReloadNeedsRestart(logger, string.Join(", ", later));
        }

        return new AccountsReload(rotated, later, null);
    }

    /// <summary>Everything of an account but its key (and where the key came from) is the same.</summary>
    private static bool SameButKey(AccountDefinition a, AccountDefinition b) =>
        Shape(a) == Shape(b)
        && a.Models.SetEquals(b.Models)
        && SamePairs(a.Aliases, b.Aliases)
        && SamePairs(a.Headers, b.Headers);

    private static AccountDefinition Shape(AccountDefinition a) =>
        a with { ApiKey = null, ApiKeySource = null, Models = NoModels, Aliases = NoPairs, Headers = NoPairs };

    private static bool SamePairs(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var value) && string.Equals(value, pair.Value, StringComparison.Ordinal));
}

/// <summary>What one reading of the accounts file did: the accounts whose key was replaced, the changes left for the next start, or why the file was refused.</summary>
internal sealed record AccountsReload(IReadOnlyList<string> Rotated, IReadOnlyList<string> AtNextStart, string? Refused);
