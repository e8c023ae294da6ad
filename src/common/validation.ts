import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((problem) =>
      // class-validator's messages start with the property name; keep the full path in front once.
      problem.startsWith(error.property)
        ? `${path}${problem.slice(error.property.length)}`
        : `${path}: ${problem}`,
    );
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/** Whitelisting, unknown fields refused, payloads transformed into DTO classes; messages name the field. */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  stopAtFirstError: false,
  exceptionFactory: (errors) =>
    new BadRequestException({
      error: 'InvalidInput',
      message: flatten(errors).join('; ') || 'invalid input',
    }),
});
