namespace Qwen.Emulator;

/// <summary>Runs the emulator on its own: <c>dotnet run --project tests/Qwen.Emulator -- --port 18080</c>.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        EmulatorOptions? options;
        try
        {
            options = CommandLine.Parse(args);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync("qwen-emulator: " + e.Message);
            return 2;
        }

        if (options is null)
        {
            Console.WriteLine(CommandLine.Usage);
            return 0;
        }

        EmulatorHost host;
        try
        {
            host = await EmulatorHost.StartAsync(options);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync("qwen-emulator: " + e.Message);
            return 2;
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"qwen-emulator: cannot listen on 127.0.0.1:{options.Port}: {e.Message}");
            return 1;
        }

        await using (host)
        {
            Console.WriteLine($"Qwen emulator listening on {host.BaseUrl} (seed {options.Seed}); Ctrl+C stops it.");
            await host.WaitForShutdownAsync();
        }

        return 0;
    }
}
