// Imported first by the server entry: defaults NODE_ENV to 'production' before graphql-js loads.
// In development mode graphql-js checks every failed instanceof for duplicate-module realms, which
// costs milliseconds per large response (e.g. a 200-row compare). An explicit NODE_ENV (jest sets
// 'test'; `NODE_ENV=development npm start`) is kept. Introspection stays on (set in server.ts).
process.env.NODE_ENV ??= 'production';
export {};
