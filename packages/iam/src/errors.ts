/** A template holds something the resolver cannot give a concrete value (an unknown intrinsic or reference). */
export class TemplateResolutionError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'TemplateResolutionError';
  }
}

/** The policy world cannot answer for a principal or resource (no such role, no template for it). */
export class PolicyWorldError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'PolicyWorldError';
  }
}
