import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'console/dist/**', '.data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      // Money never passes through a JS number: parseFloat/Number on money-named values is refused.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.name=/^(parseFloat|Number)$/] > Identifier[name=/amount|price|cost|money|total|fee|budget/i]",
          message: 'Money is decimal: use Decimal (decimal.js), never a JS number.',
        },
      ],
    },
  },
);
