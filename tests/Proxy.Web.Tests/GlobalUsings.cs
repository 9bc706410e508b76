global using System.Net;
global using System.Net.Http.Headers;
global using System.Text;
global using System.Text.Json;
global using Proxy.Web.Tests.TestSupport;
global using Proxy.TestKit;
global using Microsoft.Extensions.Time.Testing;
