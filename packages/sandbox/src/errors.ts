/** The emulator could not be found or did not start. */
export class EmulatorError extends Error {
  public override readonly name = 'EmulatorError';
}

/** No local sandbox is running, or its state file is unreadable. */
export class SandboxNotRunningError extends Error {
  public override readonly name = 'SandboxNotRunningError';
}
