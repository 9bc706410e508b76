namespace Proxy.Web.Protocols.Responses;

/// <summary>Ids as OpenAI makes them: the prefix and 32 random hex digits.</summary>
internal sealed class RandomResponseIds : IResponseIds
{
    public static readonly RandomResponseIds Instance = new();

    public string Next(string prefix) => prefix + Guid.NewGuid().ToString("N");
}
