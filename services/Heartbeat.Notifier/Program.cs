using Heartbeat.Notifier;
using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Deliveries;
using Heartbeat.Notifier.Maintenance;
using Heartbeat.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNotifier();          // Marten documents, MassTransit consumers, the webhook HttpClient

var app = builder.Build();
app.MapDefaultEndpoints();      // /health/live, /health/ready
app.MapOpenApi();               // /openapi/v1.json, merged by the gateway
app.MapChannelsApi();
app.MapNotificationsApi();
app.MapMaintenanceApi();
app.Run();

public partial class Program;
