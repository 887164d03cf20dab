// Runs once when the server starts: a configuration error (a missing variable, the placeholder AUTH_SECRET of
// .env.example) stops `next start` at boot with the variables named (printed by getEnv), instead of a server that
// answers every request with an error. Next only logs a failing hook and keeps serving, hence the exit.
export async function register(): Promise<void> {
  const { getEnv, EnvError } = await import('./env');
  try {
    getEnv();
  } catch (err) {
    if (err instanceof EnvError) process.exit(1);
    throw err;
  }
}
