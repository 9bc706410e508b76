using Proxy.Actors.Auth;

namespace Proxy.Actors.Cluster;

/// <summary>One account's credential as the table holds it, with the version every write increments.</summary>
internal sealed record CredentialRow(long Version, QwenCredentials Credentials, string UpdatedBy);
