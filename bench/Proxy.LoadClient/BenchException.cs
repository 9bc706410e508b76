namespace Proxy.LoadClient;

/// <summary>A run cannot go on; the message says why in one line a person can act on.</summary>
internal sealed class BenchException : Exception
{
    public BenchException()
    {
    }

    public BenchException(string message) : base(message)
    {
    }

    public BenchException(string message, Exception inner) : base(message, inner)
    {
    }
}
