using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Proxy.Cluster.Tests")]
